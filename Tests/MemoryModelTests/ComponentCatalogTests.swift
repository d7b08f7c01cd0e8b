import Testing
import MemoryModel

/// `.cmem/components.yaml`, read once (`ComponentCatalog`) with one meaning of a path glob (`PathGlob`) for
/// the Claude Code hooks, the git hooks, the webhooks and the index.
@Suite struct ComponentCatalogTests {
    @Test func starsQuestionMarksAndDoubleStars() {
        func m(_ p: String, _ path: String) -> Bool { PathGlob(p).matches(path) }
        #expect(m("src/github_mcp/**", "src/github_mcp/server.py"))
        #expect(m("src/github_mcp/**", "src/github_mcp/a/b/c.py"))
        #expect(!m("src/github_mcp/**", "src/github_mcp_old/x.py"))
        #expect(m("charts/github-mcp/", "charts/github-mcp/values.yaml"))
        #expect(m("src/*.go", "src/main.go"))
        #expect(!m("src/*.go", "src/pkg/main.go"))
        #expect(m("src/**/*.go", "src/main.go"))
        #expect(m("src/**/*.go", "src/pkg/x/main.go"))
        #expect(m("**/Dockerfile", "Dockerfile"))
        #expect(m("Dockerfile", "build/images/Dockerfile"))
        #expect(m("*.tf", "infra/prod/main.tf"))
        #expect(!m("*.tf", "infra/prod/main.tfvars"))
        #expect(m("/k8s/deploy-?.yaml", "k8s/deploy-a.yaml"))
        #expect(!m("k8s/deploy-?.yaml", "k8s/deploy-ab.yaml"))
        #expect(!m("k8s/deploy-?.yaml", "other/k8s/deploy-a.yaml"))
        #expect(m("a/**/b/**/c", "a/x/b/y/z/c"))
        #expect(!m("a/**/b", "a/x/c"))
    }

    @Test func oneStarStaysInOneFolder() {
        // The handoff used to read `*` as fnmatch without FNM_PATHNAME, across folders; the git hooks did not.
        let catalog = ComponentCatalog.parse("components:\n  a:\n    paths: [\"src/*.py\"]\n")
        #expect(catalog.components(covering: "src/a.py") == ["a"])
        #expect(catalog.components(covering: "src/a/b.py").isEmpty)
    }

    @Test func everyKeyInTheOrderDeclared() {
        let catalog = ComponentCatalog.parse("""
        components:
          github-mcp-server:
            depends_on: [redis-cache, "[[postgres-db]]"]
            namespace: cortex-mcp
            aliases: gh-mcp
            paths: ["src/github_mcp/**", "charts/github-mcp/"]
            owner: someone   # unknown keys are ignored
          redis-cache:
            paths: "deploy/redis/**"
          "../bad":
            paths: ["**"]
          docs-only: {}
        """)
        #expect(catalog.problem == nil)
        #expect(catalog.order == ["github-mcp-server", "redis-cache", "docs-only"])
        #expect(catalog.dependencies(of: "github-mcp-server") == ["redis-cache", "postgres-db"])
        #expect(catalog.dependents(of: "redis-cache") == ["github-mcp-server"])
        #expect(catalog.components["github-mcp-server"]?.namespace == "cortex-mcp")
        #expect(catalog.components["github-mcp-server"]?.aliases == ["gh-mcp"])
        #expect(catalog.components(for: ["src/github_mcp/app.py", "README.md"]) == ["github-mcp-server"])
        #expect(catalog.components(for: ["deploy/redis/values.yaml", "charts/github-mcp/Chart.yaml"]) == ["github-mcp-server", "redis-cache"])
        #expect(catalog.components(for: ["README.md"]).isEmpty)
    }

    @Test func aBrokenCatalogIsEmptyAndSaysWhere() {
        for text in ["components:\n  a: &x {paths: [b]}\n", "components:\n  a-api: [unclosed\n", "components: [a, b]\n"] {
            let catalog = ComponentCatalog.parse(text)
            #expect(catalog.components.isEmpty)
            #expect(catalog.problem?.path == ComponentCatalog.path, "no problem reported for \(text)")
        }
        #expect(ComponentCatalog.parse("other: 1\n").components.isEmpty)
        #expect(ComponentCatalog.parse("other: 1\n").problem == nil)
    }

    @Test func aCodeRepositoryAddsWhatTheMemoryDoesNotName() {
        let memory = ComponentCatalog.parse("components:\n  api:\n    paths: [\"src/**\"]\n")
        let code = ComponentCatalog.parse("components:\n  api:\n    paths: [\"other/**\"]\n  web:\n    paths: [\"web/**\"]\n")
        let merged = memory.adding(code)
        #expect(merged.order == ["api", "web"])
        #expect(merged.components(for: ["other/x", "web/y"]) == ["web"])
        #expect(merged.components(covering: "src/x") == ["api"])
    }
}

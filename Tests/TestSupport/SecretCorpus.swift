// The redaction corpus: secrets in the places they really turn up (shell commands, .env files, curl,
// JSON, YAML, git remotes, kubectl, docker, config files, transcripts), and look-alikes that must
// come through untouched.

public struct SecretCase: Sendable, CustomStringConvertible {
    /// The text as a tool call, prompt or file would carry it.
    public let text: String
    /// Every value that must be gone after redaction.
    public let secrets: [String]
    /// The kind the redacted value must be labelled with.
    public let kind: String

    public init(_ text: String, _ secrets: [String], _ kind: String) {
        self.text = text
        self.secrets = secrets
        self.kind = kind
    }

    public init(_ text: String, _ secret: String, _ kind: String) {
        self.init(text, [secret], kind)
    }

    public var description: String { text }
}

/// Shared by the redactor's own tests and the per-channel tests that write every secret through each
/// front end and look for it in the repository afterwards.
public enum Corpus {
    public static let secrets: [SecretCase] = {
        let ghp = Fake.github("ghp", seed: 1)
        let gho = Fake.github("gho", seed: 2)
        let ghs = Fake.github("ghs", seed: 3)
        let ghu = Fake.github("ghu", seed: 4)
        let ghr = Fake.github("ghr", seed: 5)
        let ghp2 = Fake.github("ghp", seed: 6)
        let ghp3 = Fake.github("ghp", seed: 7)
        let fine = Fake.githubFineGrained(seed: 8)
        let glpat = Fake.gitlab(seed: 10)
        let glpat2 = Fake.gitlab(seed: 11)
        let xoxb = Fake.slack("xb", seed: 20)
        let xoxp = Fake.slack("xp", seed: 23)
        let xapp = Fake.slackApp(seed: 26)
        let hook = Fake.slackWebhookPath(seed: 29)
        let skLive = Fake.stripe("sk_" + "live", seed: 30)
        let rkLive = Fake.stripe("rk_" + "live", seed: 31)
        let skTest = Fake.stripe("sk_" + "test", seed: 32)
        let whsec = "wh" + "sec_" + Fake.opaque(32, seed: 33)
        let aiza = Fake.google(seed: 40)
        let aiza2 = Fake.google(seed: 41)
        let akia = Fake.awsKeyID("AK" + "IA", seed: 50)
        let asia = Fake.awsKeyID("AS" + "IA", seed: 51)
        let awsSecret1 = Fake.awsSecret(seed: 52)
        let awsSecret2 = Fake.awsSecret(seed: 53)
        let awsSecret3 = Fake.awsSecret(seed: 54)
        let awsSecret4 = Fake.awsSecret(seed: 55)
        let sessionToken = Fake.string(180, Fake.base64, seed: 56)
        let jwt1 = Fake.jwt(seed: 60)
        let jwt2 = Fake.jwt(seed: 61)
        let jwt3 = Fake.jwt(seed: 62)
        let bearer1 = Fake.opaque(40, seed: 70)
        let bearer2 = Fake.opaque(32, seed: 71)
        let bearer3 = Fake.opaque(48, seed: 72)
        let anthropic = Fake.anthropic(seed: 80)
        let openAI = Fake.openAI(seed: 81)
        let npm = Fake.npm(seed: 82)
        let hf = Fake.huggingFace(seed: 83)
        let dckr = Fake.docker(seed: 84)
        let pypi = Fake.pypi(seed: 85)
        let resetToken = Fake.opaque(32, seed: 86)
        let authToken = Fake.hexString(32, seed: 87)
        let encryptionKey = Fake.string(44, Fake.base64, seed: 88)
        let keyBase = Fake.hexString(128, seed: 89)
        let apiKeyHex = Fake.hexString(32, seed: 90)
        let sendgrid = "SG." + Fake.string(22, Fake.base64URL, seed: 91) + "." + Fake.string(43, Fake.base64URL, seed: 92)
        let xAuth = Fake.opaque(36, seed: 93)
        let deployToken = Fake.opaque(40, seed: 94)

        let azureKey = Fake.string(86, Fake.base64, seed: 95) + "=="
        let dockerConfig = "eyJhdXRocyI6eyJnaGNyLmlvIjp7ImF1dGgiOiJaR1Z3Ykc5NU9sTXpZM0psZEEiXX19"
        let vault = "hv" + "s." + Fake.string(90, Fake.base64URL, seed: 96)
        let ya29 = "ya" + "29." + Fake.string(120, Fake.base64URL, seed: 97)
        let akia2 = Fake.awsKeyID("AK" + "IA", seed: 98)
        let signature = Fake.hexString(64, seed: 99)
        let ocToken = Fake.opaque(43, seed: 170)
        let azureKey2 = Fake.string(86, Fake.base64, seed: 174) + "=="
        let discord = Fake.string(68, Fake.base64URL, seed: 176)

        let rsa = Fake.privateKey("RSA", seed: 100)
        let openssh = Fake.privateKey("OPENSSH", seed: 110)
        let pkcs8JSON = Fake.privateKey("", separator: "\\n", seed: 120)
        let ecYAML = Fake.privateKey("EC", lines: 3, indent: "    ", seed: 130)
        let encrypted = Fake.privateKey("ENCRYPTED", seed: 140)

        return [
            // GitHub
            SecretCase("export GITHUB_TOKEN=\(ghp)", ghp, "github_token"),
            SecretCase("git clone https://\(ghp2)@github.com/acme/api.git", ghp2, "github_token"),
            SecretCase("git remote set-url origin https://x-access-token:\(ghs)@github.com/acme/api.git", ghs, "github_token"),
            SecretCase("echo \(gho) | gh auth login --with-token", gho, "github_token"),
            SecretCase("GH_TOKEN=\(fine) gh pr create --fill", fine, "github_token"),
            SecretCase("curl -H \"Authorization: token \(ghu)\" https://api.github.com/user", ghu, "github_token"),
            SecretCase("{\"token\": \"\(ghr)\", \"expires_at\": \"2025-01-01T00:00:00Z\"}", ghr, "github_token"),
            SecretCase("$env:GITHUB_TOKEN = \"\(ghp3)\"", ghp3, "github_token"),
            // GitLab
            SecretCase("git clone https://oauth2:\(glpat)@gitlab.com/group/project.git", glpat, "gitlab_token"),
            SecretCase("curl --header \"PRIVATE-TOKEN: \(glpat2)\" \"https://gitlab.example.com/api/v4/projects\"", glpat2, "gitlab_token"),
            // Slack
            SecretCase("SLACK_BOT_TOKEN=\(xoxb)", xoxb, "slack_token"),
            SecretCase("slack:\n  user_token: \"\(xoxp)\"\n", xoxp, "slack_token"),
            SecretCase("SLACK_APP_TOKEN=\(xapp) node app.js", xapp, "slack_token"),
            SecretCase("curl -X POST -H 'Content-type: application/json' --data '{\"text\":\"deploy done\"}' https://hooks.slack.com/services/\(hook)", hook, "slack_webhook"),
            // Stripe
            SecretCase("stripe.api_key = \"\(skLive)\"", skLive, "stripe_key"),
            SecretCase("STRIPE_RESTRICTED_KEY=\(rkLive)", rkLive, "stripe_key"),
            SecretCase("curl https://api.stripe.com/v1/charges -u \(skTest): -d amount=2000", skTest, "stripe_key"),
            SecretCase("webhook_secret: \(whsec)", whsec, "stripe_key"),
            // Google
            SecretCase("GOOGLE_API_KEY=\(aiza)", aiza, "google_api_key"),
            SecretCase("fetch(\"https://maps.googleapis.com/maps/api/geocode/json?address=Berlin&key=\(aiza2)\")", aiza2, "google_api_key"),
            // AWS
            SecretCase("[default]\naws_access_key_id = \(akia)\n", akia, "aws_access_key"),
            SecretCase("export AWS_ACCESS_KEY_ID=\(asia)", asia, "aws_access_key"),
            SecretCase("[default]\naws_secret_access_key = \(awsSecret1)\nregion = eu-west-1\n", awsSecret1, "aws_secret_key"),
            SecretCase("export AWS_SECRET_ACCESS_KEY=\"\(awsSecret2)\"", awsSecret2, "aws_secret_key"),
            SecretCase("aws configure set aws_secret_access_key \(awsSecret3)", awsSecret3, "aws_secret_key"),
            SecretCase("{\n  \"Credentials\": {\n    \"SecretAccessKey\": \"\(awsSecret4)\",\n    \"Expiration\": \"2024-05-01T12:00:00Z\"\n  }\n}", awsSecret4, "aws_secret_key"),
            SecretCase("    \"SessionToken\": \"\(sessionToken)\",", sessionToken, "token"),
            // Private keys
            SecretCase("Here is the key:\n\(rsa)\nUse it carefully.", Fake.privateKeyLine(seed: 100), "private_key"),
            SecretCase("cat > ~/.ssh/id_ed25519 <<'EOF'\n\(openssh)\nEOF\nchmod 600 ~/.ssh/id_ed25519", Fake.privateKeyLine(seed: 110), "private_key"),
            SecretCase("{\"type\": \"service_account\", \"private_key\": \"\(pkcs8JSON)\\n\", \"client_email\": \"x@y.iam.gserviceaccount.com\"}", Fake.privateKeyLine(seed: 120), "private_key"),
            SecretCase("stringData:\n  tls.key: |\n\(ecYAML)\n", Fake.privateKeyLine(seed: 130), "private_key"),
            SecretCase("\(encrypted)", Fake.privateKeyLine(seed: 145), "private_key"),
            // JWTs and Authorization headers
            SecretCase("curl -H \"Authorization: Bearer \(jwt1)\" https://api.example.com/v1/me", jwt1, "jwt"),
            SecretCase("Cookie: session=\(jwt2); theme=dark", jwt2, "jwt"),
            SecretCase("const idToken = \"\(jwt3)\";", jwt3, "jwt"),
            SecretCase("curl -s -H 'Authorization: Bearer \(bearer1)' https://api.example.com/items", bearer1, "bearer_token"),
            SecretCase("Authorization: Basic YWRtaW46czNjcjN0LVBhNTU=", "YWRtaW46czNjcjN0LVBhNTU=", "basic_auth"),
            SecretCase("headers = {\"Authorization\": \"Bearer \(bearer2)\", \"Accept\": \"application/json\"}", bearer2, "bearer_token"),
            SecretCase("Proxy-Authorization: Digest username=\"bob\", response=\"6629fae49393a05397450978507c4ef1\"", "6629fae49393a05397450978507c4ef1", "authorization"),
            SecretCase("http --auth-type=bearer GET api.example.com Authorization:\"Bearer \(bearer3)\"", bearer3, "bearer_token"),
            // Credentials in URLs
            SecretCase("psql postgres://app:Sup3rS3cret!@db.internal:5432/app", "Sup3rS3cret!", "password"),
            SecretCase("DATABASE_URL=mysql://root:hunter2-prod@127.0.0.1:3306/shop", "hunter2-prod", "password"),
            SecretCase("MONGO_URI=\"mongodb+srv://admin:Xk9pL2mQ7rT4@cluster0.abcde.mongodb.net/test\"", "Xk9pL2mQ7rT4", "password"),
            SecretCase("redis-cli -u redis://:r3dis-pa55w0rd@cache:6379/0 ping", "r3dis-pa55w0rd", "password"),
            SecretCase("pip install --index-url https://deploy:Pyp1-Mirror-Pw@pypi.internal/simple pkg", "Pyp1-Mirror-Pw", "password"),
            // Assignments: .env, shell, YAML, JSON, properties, code
            SecretCase("DB_PASSWORD=correct-horse-battery-staple", "correct-horse-battery-staple", "password"),
            SecretCase("export PGPASSWORD='pg!Secret#42'", "pg!Secret#42", "password"),
            SecretCase("services:\n  db:\n    environment:\n      MYSQL_ROOT_PASSWORD: \"my-r00t-pw\"\n", "my-r00t-pw", "password"),
            SecretCase("database:\n  user: app\n  password: hunter2\n", "hunter2", "password"),
            SecretCase("database:\n  password: correct horse battery staple # rotated monthly\n", "correct horse battery staple", "password"),
            SecretCase("spring.datasource.password=Tr0ub4dor3x", "Tr0ub4dor3x", "password"),
            SecretCase("{\"username\": \"admin\", \"password\": \"pa$$w0rd!\"}", "pa$$w0rd!", "password"),
            SecretCase("{\"password\":\"compact-Json-1\"}", "compact-Json-1", "password"),
            SecretCase("PASSWORD=hunter2 ./run-migrations.sh", "hunter2", "password"),
            SecretCase("db_pass: \"hT8s9!kLm2Qz\"", "hT8s9!kLm2Qz", "password"),
            SecretCase("client_secret = \"9f8e7d6c5b4a39281706f5e4d3c2b1a0\"", "9f8e7d6c5b4a39281706f5e4d3c2b1a0", "secret"),
            SecretCase("api_key: AbC123xYz789QwE456", "AbC123xYz789QwE456", "api_key"),
            SecretCase("SENDGRID_API_KEY=\(sendgrid)", sendgrid, "sendgrid_api_key"),
            SecretCase("TWILIO_AUTH_TOKEN=\(authToken)", authToken, "token"),
            SecretCase("ENCRYPTION_KEY=\(encryptionKey)", encryptionKey, "secret"),
            SecretCase("SECRET_KEY_BASE=\(keyBase)", keyBase, "secret"),
            SecretCase("requests.get(url, headers={\"X-Auth-Token\": \"\(xAuth)\"})", xAuth, "token"),
            SecretCase("curl -H \"X-Api-Key: \(apiKeyHex)\" https://api.example.com/v2/jobs", apiKeyHex, "api_key"),
            SecretCase("https://example.com/reset?token=\(resetToken)&user=42", resetToken, "token"),
            SecretCase("password = \"s3cr3t-in-python\"  # TODO move to vault", "s3cr3t-in-python", "password"),
            SecretCase("$password = 'php-Hardcoded-9';", "php-Hardcoded-9", "password"),
            SecretCase("password := \"go-Hardcoded-7\"", "go-Hardcoded-7", "password"),
            SecretCase("config.password => 'ruby-Hash-Pw3'", "ruby-Hash-Pw3", "password"),
            SecretCase("{\"auths\": {\"ghcr.io\": {\"auth\": \"ZGVwbG95OlMzY3JldC1Eb2NrZXI=\"}}}", "ZGVwbG95OlMzY3JldC1Eb2NrZXI=", "credential"),
            SecretCase("<settings><servers><server><id>nexus</id><password>xml-Secret-99</password></server></servers></settings>", "xml-Secret-99", "password"),
            SecretCase("machine ftp.example.com login bob password Ftp-Pa55", "Ftp-Pa55", "password"),
            // Vendor tokens
            SecretCase("OPENAI_API_KEY=\(openAI)", openAI, "openai_api_key"),
            SecretCase("export ANTHROPIC_API_KEY=\(anthropic)", anthropic, "anthropic_api_key"),
            SecretCase("//registry.npmjs.org/:_authToken=\(npm)", npm, "npm_token"),
            SecretCase("huggingface-cli login --token \(hf)", hf, "huggingface_token"),
            SecretCase("[pypi]\nusername = __token__\npassword = \(pypi)\n", pypi, "pypi_token"),
            SecretCase("echo \(dckr) | docker login -u bot --password-stdin", dckr, "docker_token"),
            // Flags
            SecretCase("mysql -u root -pS3cr3tPass shop < dump.sql", "S3cr3tPass", "password"),
            SecretCase("mysqldump -h db -uadmin -p'dump#Pass1' shop > shop.sql", "dump#Pass1", "password"),
            SecretCase("docker login -u deploy -p Dk8mPw2qZ registry.example.com", "Dk8mPw2qZ", "password"),
            SecretCase("sshpass -p 'S5hP@ss!' ssh deploy@10.0.0.5", "S5hP@ss!", "password"),
            SecretCase("kubectl create secret generic db-creds --from-literal=username=app --from-literal=password='K8s-S3cret!'", "K8s-S3cret!", "password"),
            SecretCase("kubectl create secret docker-registry regcred --docker-server=ghcr.io --docker-username=bot --docker-password=Zx81qP0o7vB --docker-email=bot@example.com", "Zx81qP0o7vB", "password"),
            SecretCase("helm upgrade --install api ./chart --set postgresql.auth.password=HelmPw123 --set image.tag=1.2.3", "HelmPw123", "password"),
            SecretCase("vault login -method=userpass username=alice password=V4ult-Pw", "V4ult-Pw", "password"),
            SecretCase("my-cli deploy --api-key 7f3e9c2b1a8d4f6e0b5c9a7d3e1f2b4c --region eu", "7f3e9c2b1a8d4f6e0b5c9a7d3e1f2b4c", "api_key"),
            SecretCase("deployctl push --token=\(deployToken)", deployToken, "token"),
            SecretCase("terraform apply -var \"db_password=Tf-Pa55word\"", "Tf-Pa55word", "password"),
            SecretCase("curl -u admin:Adm1nPass! https://jenkins.example.com/api/json", "Adm1nPass!", "password"),
            SecretCase("openssl pkcs12 -export -in cert.pem -inkey key.pem -out bundle.p12 -passout pass:P12-Export-Pw", "P12-Export-Pw", "password"),
            SecretCase("keytool -importkeystore -srckeystore a.jks -srcstorepass Ks-Src-Pw1 -deststorepass Ks-Dst-Pw2", ["Ks-Src-Pw1", "Ks-Dst-Pw2"], "password"),
            SecretCase("psql --password=Cli-Pg-Pass7 -h db", "Cli-Pg-Pass7", "password"),
            SecretCase("./manage --db-password \"Quoted Flag Pw\" --verbose", "Quoted Flag Pw", "password"),
            // Inside transcripts: JSON strings holding commands and files
            SecretCase("{\"tool_input\": {\"command\": \"curl -d '{\\\"password\\\": \\\"Esc4ped-Pw\\\"}' https://api.example.com/login\"}}", "Esc4ped-Pw", "password"),
            SecretCase("{\"content\": \"db:\\n  host: localhost\\n  password: Yaml-In-Json-8\\n\"}", "Yaml-In-Json-8", "password"),
            SecretCase("{\"content\": \"API_TOKEN=\(bearer1.prefix(30))\\nDEBUG=1\\n\"}", String(bearer1.prefix(30)), "token"),
            // More places secrets turn up
            SecretCase("DefaultEndpointsProtocol=https;AccountName=acme;AccountKey=\(azureKey);EndpointSuffix=core.windows.net", azureKey, "secret"),
            SecretCase("HEROKU_API_KEY=01234567-89ab-cdef-0123-456789abcdef", "01234567-89ab-cdef-0123-456789abcdef", "api_key"),
            SecretCase("apiVersion: v1\nkind: Secret\ndata:\n  password: cGFzc3dvcmQxMjM=\n  username: YWRtaW4=\n", "cGFzc3dvcmQxMjM=", "password"),
            SecretCase("type: kubernetes.io/dockerconfigjson\ndata:\n  .dockerconfigjson: \(dockerConfig)\n", dockerConfig, "secret"),
            SecretCase("redis-cli -h cache -a R3disPw! ping", "R3disPw!", "password"),
            SecretCase("jdbc:mysql://db:3306/app?user=root&password=Jdbc-Pw1&useSSL=false", "Jdbc-Pw1", "password"),
            SecretCase("curl -H \"X-Vault-Token: \(vault)\" https://vault.internal/v1/secret/data/app", vault, "vault_token"),
            SecretCase("ACCESS_TOKEN=\(ya29)", ya29, "google_oauth_token"),
            SecretCase("  auth: { user: 'mailer', pass: 'Nodemailer-Pw9' }", "Nodemailer-Pw9", "password"),
            SecretCase("Password: hunter2", "hunter2", "password"),
            SecretCase("mysql --user=root --password=Sekr1t db", "Sekr1t", "password"),
            SecretCase("git -c http.extraheader=\"AUTHORIZATION: basic dXNlcjpnaHBfc2VjcmV0dG9rZW4=\" clone https://github.com/acme/api", "dXNlcjpnaHBfc2VjcmV0dG9rZW4=", "basic_auth"),
            SecretCase("Authorization: AWS4-HMAC-SHA256 Credential=\(akia2)/20240524/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-date, Signature=\(signature)", [akia2, signature], "authorization"),
            SecretCase("Authorization: 8f14e45fceea167a5a36dedd4bea2543", "8f14e45fceea167a5a36dedd4bea2543", "authorization"),
            SecretCase("{\"tool_name\":\"Write\",\"tool_input\":{\"file_path\":\"/repo/.env\",\"content\":\"DB_PASSWORD=hunter2\\nAPI_KEY=abc123def456ghi789\\nDEBUG=true\\n\"}}", ["hunter2", "abc123def456ghi789"], "password"),
            SecretCase("{\"tool_name\":\"Edit\",\"tool_input\":{\"old_string\":\"password = \\\"old-Pw-1\\\"\",\"new_string\":\"password = \\\"n3w-Secret\\\"\"}}", ["old-Pw-1", "n3w-Secret"], "password"),
            SecretCase("{\"tool_input\":{\"file_path\":\"/home/u/.ssh/id_ed25519\",\"content\":\"\(Fake.privateKey("OPENSSH", separator: "\\n", seed: 150))\\n\"}}", Fake.privateKeyLine(seed: 152), "private_key"),
            // A held-out batch, written after the rules above: 15 of 20 were caught at first; the
            // rules for dotted tokens, -w/-P, Discord webhooks and a bare "Bearer <token>" came from it.
            SecretCase("export TF_VAR_db_password=\"tf-Var-Pw\"", "tf-Var-Pw", "password"),
            SecretCase("ansible-playbook site.yml -e \"ansible_become_pass=Bec0me!\"", "Bec0me!", "password"),
            SecretCase("oc login --token=sha256~\(ocToken) --server=https://api.cluster:6443", ocToken, "token"),
            SecretCase("az storage blob upload --account-key \"\(azureKey2)\" -f x", azureKey2, "secret"),
            SecretCase("DOCKER_AUTH_CONFIG={\"auths\":{\"registry\":{\"auth\":\"dXNlcjpwYXNzd29yZDEyMw==\"}}}", "dXNlcjpwYXNzd29yZDEyMw==", "credential"),
            SecretCase("export VAULT_TOKEN=s.\(Fake.opaque(24, seed: 171))", Fake.opaque(24, seed: 171), "token"),
            SecretCase("ldapsearch -x -D \"cn=admin,dc=example,dc=org\" -w Ld4pPw! -b dc=example", "Ld4pPw!", "password"),
            SecretCase("sqlcmd -S server -U sa -P 'MsSql!Pw1'", "MsSql!Pw1", "password"),
            SecretCase("pg_dump \"host=db user=app password=PgDump-9 dbname=app\"", "PgDump-9", "password"),
            SecretCase("\"apiToken\": \"tok_live_\(Fake.opaque(24, seed: 172))\"", Fake.opaque(24, seed: 172), "token"),
            SecretCase("curl -X POST https://api.example.com/oauth/token -d 'grant_type=client_credentials&client_id=abc&client_secret=Cl13ntS3cr3t'", "Cl13ntS3cr3t", "secret"),
            SecretCase("export DD_API_KEY=\(Fake.hexString(32, seed: 173))", Fake.hexString(32, seed: 173), "api_key"),
            SecretCase("\"webhookUrl\": \"https://discord.com/api/webhooks/123456789012345678/\(discord)\"", discord, "discord_webhook"),
            SecretCase("passphrase: \"long pass phrase with spaces 42\"", "long pass phrase with spaces 42", "password"),
            SecretCase("export SENTRY_AUTH_TOKEN=sntrys_\(Fake.opaque(40, seed: 175))", Fake.opaque(40, seed: 175), "token"),
            SecretCase("<add key=\"StorageConnectionString\" value=\"DefaultEndpointsProtocol=https;AccountName=x;AccountKey=abc+def/ghi1234567890==\" />", "abc+def/ghi1234567890==", "secret"),
            SecretCase("mongo \"mongodb://admin:M0ng0Pw@localhost:27017\"", "M0ng0Pw", "password"),
            SecretCase("smtp_password = Smtp-Pw-77", "Smtp-Pw-77", "password"),
            SecretCase("The server answered with Bearer \(bearer3.prefix(32))", String(bearer3.prefix(32)), "bearer_token"),
            SecretCase("npm config set //registry.npmjs.org/:_authToken=\"$NPM\" && echo ok; PGPASSWORD=Pg-Env-5 psql", "Pg-Env-5", "password"),
            SecretCase("TLS_SECRET=\"\(Fake.privateKey("EC", lines: 3, separator: "\\n", seed: 160))\"", Fake.privateKeyLine(seed: 161), "private_key"),
        ]
    }()

    public static let lookAlikes: [String] = {
        let sha = Fake.hexString(40, seed: 500)
        let sha256 = Fake.hexString(64, seed: 501)
        let uuid = "123e4567-e89b-12d3-a456-426614174000"
        let png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
        let b64 = Fake.string(120, Fake.base64, seed: 502) + "=="
        return [
            // git
            "commit \(sha)\nAuthor: Jane Doe <jane@example.com>",
            "git checkout 3f2a9c1",
            "a1b2c3d Fix token refresh bug in auth middleware",
            "git cherry-pick \(sha.prefix(12))",
            "git reset --hard HEAD~1 && git push -u origin main",
            "git@github.com:acme/api.git",
            "git clone https://github.com/acme/api.git",
            "ssh://git@github.com/acme/api.git",
            "Merge: 1a2b3c4 5d6e7f8",
            // ids, checksums, digests
            "request_id: \(uuid)",
            "metadata:\n  uid: 6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f\n  resourceVersion: \"839201\"\n  generation: 3",
            "sha256:\(sha256)",
            "\(sha256)  cmem-1.2.0-linux-x86_64.tar.gz",
            "docker pull ghcr.io/acme/api@sha256:\(sha256)",
            "image: nginx@sha256:\(sha256)",
            "\"integrity\": \"sha512-\(Fake.string(86, Fake.base64, seed: 503))==\"",
            "github.com/stretchr/testify v1.9.0 h1:\(Fake.string(43, Fake.base64, seed: 504))=",
            "checksum = \"\(sha256)\"",
            "ETag: \"33a64df551425fcc55e4d42a148795d9f25f89d4\"",
            "X-Request-Id: 0f8fad5b-d9cb-469f-a165-70867728950e",
            "x-amz-content-sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            "sha1: da39a3ee5e6b4b0d3255bfef95601890afd80709",
            "idempotency_key: \(uuid)",
            // base64 content not next to a secret-like name
            "binaryData:\n  logo.png: \(png)",
            "data:image/png;base64,\(png)",
            "content: \(b64)",
            "config: eyJhcGlWZXJzaW9uIjoidjEiLCJraW5kIjoiQ29uZmlnIn0=",
            // names that only look secret-like
            "open password_reset_page.html",
            "TOKEN_EXPIRY_SECONDS=3600",
            "TOKEN_TTL=3600",
            "token_url: https://auth.example.com/oauth/token",
            "password_min_length: 12",
            "max_tokens: 4096",
            "{\"usage\": {\"input_tokens\": 1532, \"output_tokens\": 211}}",
            "secretName: db-credentials",
            "kind: Secret",
            "- key: node-role.kubernetes.io/control-plane\n  operator: Exists",
            "\"key\": \"app.kubernetes.io/name\"",
            "cache-key: ${{ runner.os }}-spm-${{ hashFiles('**/Package.resolved') }}",
            "PRIMARY_KEY=id",
            "public_key: ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGq9dN0n7Y2sYzPZ3v1lq4k0yH8w2W6fQb5xE7rT9uKp dev@laptop",
            "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGq9dN0n7Y2sYzPZ3v1lq4k0yH8w2W6fQb5xE7rT9uKp dev@laptop",
            "signature: verified",
            "auth: required",
            "enable_password_auth = false",
            "require_password: true",
            "PGPASSFILE=/home/dev/.pgpass",
            "PWD=/home/dev/project",
            // flags that take no secret
            "docker login --username bot --password-stdin ghcr.io < token.txt",
            "mysql --password-file /run/secrets/db -u app",
            "gh auth login --with-token < ~/.config/gh/token",
            "mkdir -p /tmp/build && cp -r out /tmp/build",
            "ssh -p 2222 deploy@bastion.example.com",
            "docker run -p 8080:80 -e DEBUG=1 nginx",
            "my-cli --no-password --token-ttl 3600",
            "kubectl get secret db -o jsonpath='{.data.password}' | base64 -d",
            // placeholders and references
            "GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }}",
            "export TOKEN=$TOKEN",
            "export GITHUB_TOKEN=${GITHUB_TOKEN:?missing}",
            "api_key: <your-api-key>",
            "password: \"***\"",
            "POSTGRES_PASSWORD=changeme",
            "password: ${DB_PASSWORD}",
            "OPENAI_API_KEY=your_openai_api_key_here",
            "curl -H \"Authorization: Bearer $TOKEN\" https://api.example.com",
            "curl -H \"Authorization: Bearer ${API_TOKEN}\" -u \"$USER:$PASS\" https://api.example.com",
            "Authorization: Bearer <token>",
            "password: {{ .Values.db.password | quote }}",
            "PASSWORD=$(cat /run/secrets/db_password)",
            "TOKEN=/var/run/secrets/kubernetes.io/serviceaccount/token",
            "postgres://app:${DB_PASSWORD}@db:5432/app",
            "password: \"[REDACTED:password]\"",
            "export GITHUB_TOKEN=[REDACTED:github_token]",
            "\"password\": null",
            "password: \"\"",
            "PASSWORD=",
            // code
            "token = os.environ[\"GITHUB_TOKEN\"]",
            "let token: String",
            "func login(user: String, password: String) async throws -> Session",
            "self.password = password",
            "const apiKey = process.env.API_KEY;",
            "password: str = Field(..., min_length=8)",
            "String password = request.getParameter(\"password\");",
            "if token == nil { return }",
            "password = var.db_password",
            "let token = try await client.fetchToken()",
            "secret_key = settings.SECRET_KEY",
            "    password: String,\n    token: String?\n",
            // prose and public material
            "AWS access key ids start with AKIA and GitHub classic tokens start with ghp_.",
            "Slack bot tokens look like xoxb-..., see https://api.slack.com/authentication/token-types",
            "from huggingface_hub import hf_hub_download",
            "pip install scikit-learn sk-video",
            "The header is -----BEGIN OPENSSH PRIVATE KEY----- followed by base64.",
            "-----BEGIN CERTIFICATE-----\n\(Fake.string(64, Fake.base64, seed: 505))\n-----END CERTIFICATE-----",
            "-----BEGIN PUBLIC KEY-----\n\(Fake.string(64, Fake.base64, seed: 506))\n-----END PUBLIC KEY-----",
            "Digest: sha-256=X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=",
            "export PATH=$HOME/bin:$PATH",
            "http://localhost:8080/api?page=2&per_page=50",
            "https://user@example.com/repo",
            "postgres://localhost:5432/app",
            "Reset your password at https://example.com/account/password?utm_source=email",
            "The token expired; run `cmem login` again.",
            // found while probing
            "const TOKEN_KEY = \"auth_token\";",
            "docker buildx build --secret id=npmrc,src=$HOME/.npmrc .",
            "password: !vault |",
            "MasterUserPassword: !Ref DBPassword",
            "DB_PASSWORD=op://Engineering/db/password",
            "DB_PASSWORD_ARN=arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbCdEf",
            "password: ENC[AES256_GCM,data:abc,iv:def,tag:ghi,type:str]",
            "Password: not needed for local dev.",
            "Authorization: the user must be an admin.",
            "authorization: enabled",
            "Fixed the bug in token: refresh logic now retries",
            "guard let token = try? keychain.read(\"token\") else { return }",
            "private var apiKey: String = \"\"",
            "def login(self, password: str, token: Optional[str] = None):",
            "Password string `json:\"password\"`",
            "  password: process.env.DB_PASSWORD,",
            "  token: req.headers.authorization?.split(' ')[1]",
            "  password: hashedPassword,",
            "\"tokenizer\": \"cl100k_base\"",
            "auth_method: token",
            "secrets: inherit",
            "passed: 41",
            "apiKeyHeader: X-API-Key",
            "token_type: Bearer",
            "PASSWORD_REGEX = \"^(?=.*[A-Z]).{8,}$\"",
            "kubectl create secret generic ssh --from-file=ssh-privatekey=/home/u/.ssh/id_rsa",
            "ssh login@host -p 2222",
            "docker run -p 5432:5432 --name pg postgres",
            "mysql -u root -p -e 'show databases'",
            "curl --user-agent 'Mozilla/5.0' https://example.com",
            "`token`: the GitHub token used for API calls",
            "| password | string | the user's password |",
            "let key = SymmetricKey(size: .bits256)",
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\ntype: Opaque",
            "X-GitHub-Request-Id: C2A4:3F5B:1A2B3C:1B2C3D:65A1B2C3",
            "\"pageToken\": \"\"",
            "csrf_token: {{ csrf_token() }}",
            "echo \"password=$(pass show db)\"",
            "--token-file ~/.config/token",
            "The API key goes in the `X-Api-Key` header",
            "Set OPENAI_API_KEY=... in your shell",
            "PASSWORD=<set me>",
            "pwd: /home/user",
            "session_token: null",
            "cookie: theme=dark",
            "authorization: Bearer",
            "x='-----BEGIN RSA PRIVATE KEY-----'",
            "arn:aws:iam::123456789012:role/deploy",
            // the held-out batch (none of these were redacted)
            "gcloud auth activate-service-account --key-file=sa.json",
            "git clone https://gitlab-ci-token:${CI_JOB_TOKEN}@gitlab.com/x.git",
            "private_key_id: \"8f14e45fceea167a5a36dedd4bea2543b2e1c6f0\"",
            "\"tokens_used\": 12345678",
            "ENV NODE_ENV=production",
            "passport.authenticate('jwt', { session: false })",
            "keyring: /etc/ceph/ceph.client.admin.keyring",
            "secret_santa: true",
            "client_id: 0oa1b2c3d4e5f6g7h8i9",
            "\"kid\": \"2011-04-29\"",
            "nonce: 8a3f9c2e",
            "key_vault_name = \"kv-prod-weu\"",
            "password_policy: { min_length: 12 }",
            "git commit -m \"Rotate API key and update password docs\"",
            "ssh-keyscan github.com >> ~/.ssh/known_hosts",
            "echo 'token' | wc -c",
            "\"Authorization\": \"Bearer \" + token",
            "headers[\"Authorization\"] = f\"Bearer {token}\"",
            "const secret = crypto.randomBytes(32).toString('hex');",
            "api_key = getpass.getpass(\"API key: \")",
            "token_budget: 200000",
            "password_length=32",
            "AUTH_DISABLED=true",
            "session: 4f3c2b1a-9d8e-4f7a-b6c5-d4e3f2a1b0c9",
            "\"hash\": \"sha256-AbCdEf0123456789AbCdEf0123456789AbCdEf01234=\"",
            "if (!password) throw new Error('password: required')",
            "password: {{ lookup('env', 'DB_PASSWORD') }}",
            "secret:\n  secretName: tls-cert",
            "authToken: authToken,",
            "export KUBECONFIG=~/.kube/config",
            "Be aware: the bearer token is sent on every request.",
        ]
    }()
}

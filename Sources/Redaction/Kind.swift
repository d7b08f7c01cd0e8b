/// What a redacted value was. Its `label` is what `[REDACTED:label]` and `Finding.kind` show.
enum Kind: UInt8, CaseIterable {
    // Formats recognised by their shape alone.
    case awsAccessKey, githubToken, gitlabToken, slackToken, slackWebhook, discordWebhook, stripeKey
    case googleAPIKey, googleOAuthToken, anthropicKey, openAIKey, npmToken, pypiToken, huggingFaceToken
    case dockerToken, sendgridKey, vaultToken
    case privateKey, jwt
    // Values recognised by what sits next to them.
    case bearerToken, basicAuth, authorization
    case awsSecretKey, password, token, secret, apiKey, credential

    var label: String {
        switch self {
        case .awsAccessKey: "aws_access_key"
        case .githubToken: "github_token"
        case .gitlabToken: "gitlab_token"
        case .slackToken: "slack_token"
        case .slackWebhook: "slack_webhook"
        case .discordWebhook: "discord_webhook"
        case .stripeKey: "stripe_key"
        case .googleAPIKey: "google_api_key"
        case .googleOAuthToken: "google_oauth_token"
        case .anthropicKey: "anthropic_api_key"
        case .openAIKey: "openai_api_key"
        case .npmToken: "npm_token"
        case .pypiToken: "pypi_token"
        case .huggingFaceToken: "huggingface_token"
        case .dockerToken: "docker_token"
        case .sendgridKey: "sendgrid_api_key"
        case .vaultToken: "vault_token"
        case .privateKey: "private_key"
        case .jwt: "jwt"
        case .bearerToken: "bearer_token"
        case .basicAuth: "basic_auth"
        case .authorization: "authorization"
        case .awsSecretKey: "aws_secret_key"
        case .password: "password"
        case .token: "token"
        case .secret: "secret"
        case .apiKey: "api_key"
        case .credential: "credential"
        }
    }

    /// Breaks ties when two matches cover the same bytes: a known token format says more than the
    /// name it was assigned to (see `Redactor.scan`).
    var priority: Int {
        switch self {
        case .privateKey: 3
        case .awsAccessKey, .githubToken, .gitlabToken, .slackToken, .slackWebhook, .discordWebhook, .stripeKey,
             .googleAPIKey, .googleOAuthToken, .anthropicKey, .openAIKey, .npmToken, .pypiToken, .huggingFaceToken,
             .dockerToken, .sendgridKey, .vaultToken, .jwt:
            2
        case .bearerToken, .basicAuth, .authorization, .awsSecretKey, .password, .token, .secret, .apiKey,
             .credential:
            1
        }
    }
}

/// A byte range of the input to replace, and why.
struct Match {
    var start: Int
    var end: Int
    var kind: Kind
}

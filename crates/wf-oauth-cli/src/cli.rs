//! The command-line grammar (clap derive).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::browser::BrowserMode;
use crate::error::EXIT_CODES_HELP;
use crate::profile::{AuthStyle, DEFAULT_PROFILE};
use crate::provider::ProviderKind;

const LONG_ABOUT: &str = "\
Sign in to Adobe Workfront with OAuth 2 from a terminal, keep the tokens safely, and call \
the Workfront API.

Start with `wf-oauth demo`: the whole flow against an embedded fake Workfront, no account \
needed. Then `wf-oauth login --instance acme.my.workfront.com --client-id …` signs in to a \
real instance; `token`, `api`, `refresh`, `status` and `logout` use the saved profile.

Workfront's own OAuth 2 service (`--provider legacy`, the default) stops working on \
2027-02-01. Adobe IMS credentials from the Adobe Developer Console work with `--provider ims \
--scope …`: `login` for web apps (client secret) and single-page or native apps (`--pkce`), \
`token --client-credentials` for Server-to-Server. `--provider generic` takes any OAuth 2 \
server's `--authorize-url` and `--token-url`.

Secrets (client secret, codes, tokens) never appear in output or logs unless asked for \
with `token` or `token --json --show-secrets`; elsewhere they are shown as fingerprints.";

/// `wf-oauth`: Workfront OAuth 2 from the command line.
#[derive(Debug, Parser)]
#[command(
    name = "wf-oauth",
    version,
    about = "Sign in to Adobe Workfront with OAuth 2 and call its API",
    long_about = LONG_ABOUT,
    after_long_help = EXIT_CODES_HELP,
    propagate_version = true
)]
pub struct Cli {
    /// Options of every command.
    #[command(flatten)]
    pub global: GlobalArgs,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Options of every command.
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Where profiles and tokens live [default: $XDG_CONFIG_HOME/wf-oauth, or the
    /// platform's config directory].
    #[arg(long, global = true, env = "WF_OAUTH_CONFIG_DIR", value_name = "DIR")]
    pub config_dir: Option<PathBuf>,

    /// Log every step to standard error (never a secret; `RUST_LOG` refines it).
    #[arg(long, short = 'v', global = true)]
    pub verbose: bool,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the whole flow against an embedded fake Workfront: sign-in, code exchange,
    /// API calls, session expiry and the transparent refresh.
    Demo(DemoArgs),
    /// Sign in to a Workfront instance and save the tokens in a profile.
    Login(LoginArgs),
    /// Print a valid access token of a profile (refreshing it if needed); with
    /// --client-credentials, set up a Server-to-Server profile.
    Token(TokenArgs),
    /// Renew a profile's access token with its refresh token now.
    Refresh(ProfileArg),
    /// End the Workfront session and delete the stored tokens.
    Logout(LogoutArgs),
    /// Show the profiles: instance, client, when signed in, whether sign-in is needed.
    Status(StatusArgs),
    /// Call the Workfront API with a profile's token (refreshing it when needed).
    Api(ApiArgs),
    /// Run the fake Workfront in the foreground (same options as `wf-oauth-mock`).
    Mock(MockCommandArgs),
    /// Print a shell completion script.
    Completions(CompletionsArgs),
}

/// `--profile`.
#[derive(Debug, Args, Clone)]
pub struct ProfileArg {
    /// The profile (one per account).
    #[arg(long, short = 'p', env = "WF_OAUTH_PROFILE", default_value = DEFAULT_PROFILE)]
    pub profile: String,
}

/// `wf-oauth demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Open the fake's sign-in page in the system browser (`auto`: when at a terminal and
    /// not in CI); otherwise the demo signs in by itself.
    #[arg(long, value_enum, default_value_t = BrowserMode::Auto)]
    pub browser: BrowserMode,

    /// How many projects to list.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..=2000))]
    pub projects: u32,

    /// Seconds to wait for a sign-in in the browser.
    #[arg(long, default_value_t = 300, value_name = "SECS")]
    pub timeout: u64,
}

/// Where tokens come from: `--provider` and its URLs (shared by `login` and
/// `token --client-credentials`).
#[derive(Debug, Args, Clone, Default, PartialEq, Eq)]
pub struct ProviderArgs {
    /// The authorization server that signs in and issues tokens [default: the profile's,
    /// else legacy].
    #[arg(long, value_enum, value_name = "PROVIDER")]
    pub provider: Option<ProviderKind>,

    /// With --provider ims: the IMS base URL [default: https://ims-na1.adobelogin.com].
    /// https, or http to a loopback host (a fake IMS on this machine).
    #[arg(long, value_name = "URL")]
    pub ims_host: Option<String>,

    /// With --provider generic (required): the authorization endpoint.
    #[arg(long, value_name = "URL")]
    pub authorize_url: Option<String>,

    /// With --provider generic (required): the token endpoint.
    #[arg(long, value_name = "URL")]
    pub token_url: Option<String>,
}

/// The client configuration shared by `login` and `token --client-credentials`. Each
/// option defaults to the profile's value when the profile exists.
#[derive(Debug, Args, Clone, Default, PartialEq, Eq)]
pub struct ClientArgs {
    /// The Workfront host (`acme.my.workfront.com`), or `http://127.0.0.1:PORT` for a fake
    /// on this machine. The API is always called there, whatever the provider. Defaults to
    /// the profile's.
    #[arg(long, value_name = "HOST")]
    pub instance: Option<String>,

    /// The OAuth 2 application's client ID. Defaults to the profile's.
    #[arg(long)]
    pub client_id: Option<String>,

    /// The environment variable holding the client secret (its name, not the secret;
    /// without it the secret is asked for at a hidden prompt).
    #[arg(long, value_name = "VAR")]
    pub client_secret_env: Option<String>,

    /// The authorization server and its URLs.
    #[command(flatten)]
    pub provider: ProviderArgs,

    /// The scope to request, space-separated. Required with --provider ims (e.g.
    /// "openid AdobeID additional_info.projectedProductContext"); Workfront needs none.
    #[arg(long)]
    pub scope: Option<String>,

    /// How the client authenticates to the token endpoint [default: post for Adobe IMS,
    /// basic otherwise].
    #[arg(long, value_enum)]
    pub client_auth: Option<AuthStyle>,

    /// The Workfront API version, such as v20.0 [default: v20.0].
    #[arg(long, value_name = "vX.Y")]
    pub api_version: Option<String>,
}

impl ClientArgs {
    /// Whether any option was given (every option is `None` when absent).
    pub fn any(&self) -> bool {
        *self != ClientArgs::default()
    }
}

/// `wf-oauth login`.
#[derive(Debug, Args)]
pub struct LoginArgs {
    /// The profile to save the sign-in as.
    #[command(flatten)]
    pub profile: ProfileArg,

    /// The client and where it signs in.
    #[command(flatten)]
    pub client: ClientArgs,

    /// The redirect URI registered for the application. A loopback `http://127.0.0.1:PORT/…`
    /// URI is served by this command; any other only works with pasting.
    #[arg(long, value_name = "URI")]
    pub redirect_uri: Option<String>,

    /// A public (single-page or native) application: PKCE and no client secret.
    #[arg(long)]
    pub pkce: bool,

    /// Do not open a browser or listen: print the URL and read the address the browser
    /// ended on (or the bare code) from standard input (SSH, headless machines).
    #[arg(long)]
    pub no_browser: bool,

    /// Whether to open the system browser when not using --no-browser.
    #[arg(long, value_enum, default_value_t = BrowserMode::Auto)]
    pub browser: BrowserMode,

    /// Seconds to wait for the sign-in.
    #[arg(long, default_value_t = 300, value_name = "SECS")]
    pub timeout: u64,
}

/// `wf-oauth token`.
#[derive(Debug, Args)]
pub struct TokenArgs {
    /// The profile.
    #[command(flatten)]
    pub profile: ProfileArg,

    /// Print the token set's metadata as JSON (fingerprints instead of secrets).
    #[arg(long)]
    pub json: bool,

    /// With --json, include the access and refresh tokens themselves.
    #[arg(long, requires = "json")]
    pub show_secrets: bool,

    /// Server-to-Server (Adobe IMS or a generic provider): configure the profile with the
    /// options below and get its token with the client credentials grant, no user and no
    /// browser. Later `token` and `api` calls request a new token when it nears expiry.
    #[arg(long)]
    pub client_credentials: bool,

    /// The Server-to-Server client (only with --client-credentials).
    #[command(
        flatten,
        next_help_heading = "Server-to-Server options (with --client-credentials)"
    )]
    pub client: ClientArgs,
}

/// `wf-oauth logout`.
#[derive(Debug, Args)]
pub struct LogoutArgs {
    /// The profile.
    #[command(flatten)]
    pub profile: ProfileArg,

    /// Also delete the profile's configuration.
    #[arg(long)]
    pub forget: bool,
}

/// `wf-oauth status`.
#[derive(Debug, Args)]
pub struct StatusArgs {
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// HTTP methods of `wf-oauth api`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
#[value(rename_all = "UPPER")]
pub enum ApiMethod {
    /// Read.
    Get,
    /// Create or act.
    Post,
    /// Update.
    Put,
    /// Delete.
    Delete,
}

/// `wf-oauth api`.
#[derive(Debug, Args)]
pub struct ApiArgs {
    /// The profile.
    #[command(flatten)]
    pub profile: ProfileArg,

    /// The HTTP method.
    #[arg(value_enum, ignore_case = true)]
    pub method: ApiMethod,

    /// The path under /attask/api/<version>/, e.g. proj/search or task/<ID>.
    pub path: String,

    /// A query parameter NAME=VALUE (repeatable), e.g. -q name=Launch -q status=CUR.
    #[arg(long = "query", short = 'q', value_name = "NAME=VALUE", value_parser = parse_pair)]
    pub query: Vec<(String, String)>,

    /// Fields to return, comma-separated (Workfront's `fields`), e.g. -f ID,name,status.
    #[arg(long, short = 'f', value_name = "FIELDS")]
    pub fields: Option<String>,

    /// A JSON body for POST and PUT.
    #[arg(long, short = 'd', value_name = "JSON")]
    pub data: Option<String>,

    /// Page through every result of a search (GET <obj>/search) and print one array.
    #[arg(long)]
    pub all: bool,

    /// Objects per page with --all (1 to 2000).
    #[arg(long, requires = "all", value_parser = clap::value_parser!(u32).range(1..=2000))]
    pub page_size: Option<u32>,
}

fn parse_pair(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((name, value)) if !name.is_empty() => Ok((name.to_owned(), value.to_owned())),
        _ => Err(format!("expected NAME=VALUE, got {s:?}")),
    }
}

/// `wf-oauth mock`.
#[derive(Debug, Args)]
pub struct MockCommandArgs {
    /// The fake's options.
    #[command(flatten)]
    pub mock: wf_oauth_mock::MockArgs,
}

/// `wf-oauth completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_grammar_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn api_arguments_parse() {
        let cli = Cli::try_parse_from([
            "wf-oauth",
            "api",
            "get",
            "proj/search",
            "-q",
            "name=a=b",
            "-f",
            "ID,name",
        ])
        .unwrap();
        let Command::Api(api) = cli.command else {
            panic!("not api")
        };
        assert_eq!(api.method, ApiMethod::Get);
        assert_eq!(api.query, [("name".to_owned(), "a=b".to_owned())]);
        assert!(Cli::try_parse_from(["wf-oauth", "api", "GET", "x", "-q", "novalue"]).is_err());
        assert!(Cli::try_parse_from(["wf-oauth", "token", "--show-secrets"]).is_err());
    }

    #[test]
    fn providers_and_their_aliases_parse() {
        use ProviderKind::{Generic, Ims, Legacy};
        for (given, kind) in [
            ("legacy", Legacy),
            ("workfront", Legacy),
            ("ims", Ims),
            ("adobe-ims", Ims),
            ("generic", Generic),
        ] {
            let cli = Cli::try_parse_from(["wf-oauth", "login", "--provider", given]).unwrap();
            let Command::Login(login) = cli.command else {
                panic!("not login")
            };
            assert_eq!(login.client.provider.provider, Some(kind), "{given}");
        }
        assert!(Cli::try_parse_from(["wf-oauth", "login", "--provider", "okta"]).is_err());
        let cli = Cli::try_parse_from([
            "wf-oauth",
            "token",
            "--client-credentials",
            "--provider",
            "ims",
            "--scope",
            "openid",
        ])
        .unwrap();
        let Command::Token(token) = cli.command else {
            panic!("not token")
        };
        assert!(token.client_credentials && token.client.any());
        // Sign-in options are login's only.
        for login_only in [
            "--pkce",
            "--redirect-uri=http://127.0.0.1:1/cb",
            "--no-browser",
        ] {
            assert!(
                Cli::try_parse_from(["wf-oauth", "token", "--client-credentials", login_only])
                    .is_err(),
                "{login_only}"
            );
        }
    }
}

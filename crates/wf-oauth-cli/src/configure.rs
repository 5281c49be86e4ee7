//! The profile a `login` or `token --client-credentials` will save: the flags first, then
//! the existing profile, then the defaults. Everything is validated here, before a
//! browser opens or a request is sent.

use wf_oauth_core::{ApiVersion, Instance, RedirectUri};

use crate::cli::ClientArgs;
use crate::error::CliError;
use crate::profile::{AuthStyle, PROFILE_FORMAT, Profile, check_profile_name};
use crate::provider::ProviderSettings;
use crate::secret_input;

/// The redirect URI used when neither the flags nor the profile name one: a loopback
/// address `login` serves (register it for the application).
pub const DEFAULT_REDIRECT_URI: &str = "http://127.0.0.1:8765/callback";

/// A scope that suits most Adobe IMS credentials, shown in messages.
pub const IMS_SCOPE_EXAMPLE: &str = "openid AdobeID additional_info.projectedProductContext";

/// How the profile will get its tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grant<'a> {
    /// A user signs in in a browser (`login`).
    AuthorizationCode {
        /// `--redirect-uri`.
        redirect_uri: Option<&'a str>,
        /// `--pkce`: a public client.
        pkce: bool,
    },
    /// The application acts as itself (`token --client-credentials`).
    ClientCredentials,
}

/// Builds and checks the profile `name` from `args`, `grant` and `existing`.
pub fn merge(
    name: &str,
    args: &ClientArgs,
    grant: Grant<'_>,
    existing: Option<&Profile>,
) -> Result<Profile, CliError> {
    check_profile_name(name)?;
    let usage = |e: wf_oauth_core::Error| CliError::usage(e.to_string());
    let instance = match (&args.instance, existing) {
        (Some(i), _) => i.clone(),
        (None, Some(p)) => p.instance.clone(),
        (None, None) => {
            return Err(CliError::usage(
                "--instance is required for a new profile (e.g. --instance \
                 acme.my.workfront.com)",
            ));
        }
    };
    let instance = Instance::parse(&instance).map_err(usage)?;
    let client_id = match (&args.client_id, existing) {
        (Some(c), _) => c.clone(),
        (None, Some(p)) => p.client_id.clone(),
        (None, None) => {
            return Err(CliError::usage(
                "--client-id is required for a new profile (Setup > System > OAuth2 in \
                 Workfront, or the credential's page in the Adobe Developer Console, shows it)",
            ));
        }
    };
    if client_id.trim().is_empty() {
        return Err(CliError::usage("the client ID is empty"));
    }
    let provider = ProviderSettings::merge(&args.provider, existing.map(|p| &p.provider))?;
    let rules = provider.provider()?;
    let same_provider = existing.filter(|p| p.provider.kind == provider.kind);
    let (redirect_arg, pkce) = match grant {
        Grant::AuthorizationCode { redirect_uri, pkce } => (redirect_uri, pkce),
        Grant::ClientCredentials => (None, false),
    };
    let client_credentials = grant == Grant::ClientCredentials;
    if client_credentials && !rules.supports_client_credentials() {
        return Err(CliError::usage(
            "--client-credentials (Server-to-Server) needs --provider ims or --provider \
             generic: Workfront's legacy OAuth 2 service has no client credentials grant",
        ));
    }
    let redirect_uri = redirect_arg
        .map(str::to_owned)
        .or_else(|| existing.map(|p| p.redirect_uri.clone()))
        .unwrap_or_else(|| DEFAULT_REDIRECT_URI.to_owned());
    RedirectUri::parse(&redirect_uri).map_err(usage)?;
    let api_version = args
        .api_version
        .clone()
        .or_else(|| existing.map(|p| p.api_version.clone()))
        .unwrap_or_else(|| ApiVersion::DEFAULT.to_owned());
    ApiVersion::parse(&api_version).map_err(usage)?;
    if let Some(var) = &args.client_secret_env {
        secret_input::check_env_name(var)?;
        if pkce {
            return Err(CliError::usage(
                "--pkce is for public applications, which have no client secret; drop \
                 --client-secret-env",
            ));
        }
    }
    // A Server-to-Server client always has a secret; a sign-in stays public if it was.
    let public_client = !client_credentials
        && (pkce
            || (args.client_secret_env.is_none()
                && existing.is_some_and(|p| p.public_client && !p.client_credentials)));
    let secret_env = if public_client {
        None
    } else {
        args.client_secret_env
            .clone()
            .or_else(|| existing.and_then(|p| p.secret_env.clone()))
    };
    // Scopes belong to the authorization server: kept only while it stays the same kind.
    let scope = args
        .scope
        .clone()
        .or_else(|| same_provider.and_then(|p| p.scope.clone()));
    if scope.is_none() && rules.requires_scope() {
        return Err(CliError::usage(format!(
            "Adobe IMS requires a scope: pass --scope with the scopes of your Adobe Developer \
             Console credential, e.g. --scope \"{IMS_SCOPE_EXAMPLE}\""
        )));
    }
    let default_auth = AuthStyle::from(rules.default_client_auth());
    let profile = Profile {
        format: PROFILE_FORMAT,
        name: name.to_owned(),
        instance: instance.origin().to_owned(),
        client_id,
        redirect_uri,
        client_auth: args
            .client_auth
            .or_else(|| same_provider.map(|p| p.client_auth))
            .unwrap_or(default_auth),
        api_version,
        scope,
        public_client,
        secret_env,
        provider,
        client_credentials,
    };
    // The whole configuration is checked by the core now, not after the sign-in.
    profile.client_config(None)?;
    Ok(profile)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::ProviderArgs;
    use crate::error::Exit;
    use crate::provider::ProviderKind;

    fn ims_args() -> ClientArgs {
        ClientArgs {
            instance: Some("acme.my.workfront.com".into()),
            client_id: Some("cid".into()),
            client_secret_env: Some("WF_SECRET".into()),
            provider: ProviderArgs {
                provider: Some(ProviderKind::Ims),
                ..ProviderArgs::default()
            },
            scope: Some("openid AdobeID".into()),
            ..ClientArgs::default()
        }
    }

    const CODE: Grant<'static> = Grant::AuthorizationCode {
        redirect_uri: None,
        pkce: false,
    };

    #[test]
    fn ims_profiles_default_to_post_and_keep_their_provider() {
        let p = merge("work", &ims_args(), CODE, None).unwrap();
        assert_eq!(p.client_auth, AuthStyle::Post);
        assert_eq!(p.provider.kind, ProviderKind::Ims);
        assert!(p.store_key().ends_with("/adobe-ims"), "{}", p.store_key());
        // Nothing repeated: everything comes from the profile.
        let again = merge("work", &ClientArgs::default(), CODE, Some(&p)).unwrap();
        assert_eq!(again, p);
        // Back to legacy: the IMS client authentication is not inherited.
        let legacy_args = ClientArgs {
            provider: ProviderArgs {
                provider: Some(ProviderKind::Legacy),
                ..ProviderArgs::default()
            },
            ..ClientArgs::default()
        };
        let legacy = merge("work", &legacy_args, CODE, Some(&p)).unwrap();
        assert_eq!(legacy.client_auth, AuthStyle::Basic);
        assert_eq!(legacy.store_key(), "work/cid@https://acme.my.workfront.com");
    }

    #[test]
    fn client_credentials_profiles() {
        let pkce = Grant::AuthorizationCode {
            redirect_uri: None,
            pkce: true,
        };
        let spa = merge(
            "s",
            &ClientArgs {
                client_secret_env: None,
                ..ims_args()
            },
            pkce,
            None,
        )
        .unwrap();
        assert!(spa.public_client);
        let s2s = merge("s", &ims_args(), Grant::ClientCredentials, Some(&spa)).unwrap();
        assert!(s2s.client_credentials && !s2s.public_client);
        assert_eq!(s2s.secret_env.as_deref(), Some("WF_SECRET"));
        assert!(s2s.store_key().ends_with("/adobe-ims/client-credentials"));
        assert_eq!(
            s2s.sign_in_command(),
            "wf-oauth token --client-credentials --profile s"
        );
    }

    #[test]
    fn configuration_mistakes_are_usage_errors() {
        let legacy_cc = ClientArgs {
            provider: ProviderArgs::default(),
            scope: None,
            ..ims_args()
        };
        let e = merge("x", &legacy_cc, Grant::ClientCredentials, None).unwrap_err();
        assert_eq!(e.exit(), Exit::Usage);
        assert!(e.message().contains("no client credentials grant"), "{e}");
        let no_scope = ClientArgs {
            scope: None,
            ..ims_args()
        };
        let e = merge("x", &no_scope, CODE, None).unwrap_err();
        assert_eq!(e.exit(), Exit::Usage);
        assert!(e.message().contains("requires a scope"), "{e}");
        let e = merge("x", &ClientArgs::default(), CODE, None).unwrap_err();
        assert!(e.message().contains("--instance"), "{e}");
    }
}

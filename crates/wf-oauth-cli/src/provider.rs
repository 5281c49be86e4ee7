//! Provider profiles: which authorization server a profile signs in with — Workfront's
//! legacy OAuth 2 service (retired on 2027-02-01), Adobe IMS, or any standard OAuth 2
//! server — as given on the command line and as saved in the profile.
//!
//! The rules (which endpoints, which URLs are acceptable, whether a scope or the client
//! credentials grant exists) are the core's [`Provider`]; this module only turns flags
//! and saved settings into one, with messages that name the flags.

use serde::{Deserialize, Serialize};
use wf_oauth_core::{DEFAULT_IMS_BASE, Endpoint, Provider};

use crate::cli::ProviderArgs;
use crate::error::CliError;

/// The kind of authorization server, as given with `--provider` and saved in profiles
/// (saved under the core's [`Provider::kind_name`]).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, clap::ValueEnum,
)]
pub enum ProviderKind {
    /// Workfront's own OAuth 2 service, custom OAuth2 applications (alias `workfront`;
    /// stops working on 2027-02-01).
    #[default]
    #[value(name = "legacy", alias = "workfront")]
    #[serde(rename = "workfront-legacy", alias = "legacy")]
    Legacy,
    /// Adobe IMS, Adobe Developer Console credentials: web app, single-page or native app,
    /// Server-to-Server (alias `adobe-ims`; needs --scope).
    #[value(name = "ims", alias = "adobe-ims")]
    #[serde(rename = "adobe-ims", alias = "ims")]
    Ims,
    /// Any standard OAuth 2 server (--authorize-url and --token-url).
    #[value(name = "generic")]
    #[serde(rename = "generic")]
    Generic,
}

impl ProviderKind {
    /// The core's name of this kind: `workfront-legacy`, `adobe-ims` or `generic`.
    pub fn name(self) -> &'static str {
        match self {
            ProviderKind::Legacy => "workfront-legacy",
            ProviderKind::Ims => "adobe-ims",
            ProviderKind::Generic => "generic",
        }
    }
}

/// The provider settings of a profile: the kind and, where it applies, its URLs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProviderSettings {
    /// The kind (`workfront-legacy` in profiles written before providers existed).
    #[serde(rename = "provider", default)]
    pub kind: ProviderKind,
    /// The Adobe IMS base URL; `None` is [`DEFAULT_IMS_BASE`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ims_host: Option<String>,
    /// The authorization endpoint of a generic provider.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorize_url: Option<String>,
    /// The token endpoint of a generic provider.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_url: Option<String>,
}

impl ProviderSettings {
    /// The settings a command will use: the flags first, then `existing` (only when the
    /// kind stays the same), then the defaults. Everything is validated here.
    pub fn merge(
        args: &ProviderArgs,
        existing: Option<&ProviderSettings>,
    ) -> Result<ProviderSettings, CliError> {
        let kind = args
            .provider
            .or(existing.map(|p| p.kind))
            .unwrap_or_default();
        if args.ims_host.is_some() && kind != ProviderKind::Ims {
            return Err(CliError::usage(
                "--ims-host goes with --provider ims (the Adobe IMS base URL)",
            ));
        }
        if (args.authorize_url.is_some() || args.token_url.is_some())
            && kind != ProviderKind::Generic
        {
            return Err(CliError::usage(
                "--authorize-url and --token-url go with --provider generic",
            ));
        }
        let inherited = existing.filter(|p| p.kind == kind);
        let pick = |flag: &Option<String>, saved: fn(&ProviderSettings) -> &Option<String>| {
            flag.clone()
                .or_else(|| inherited.and_then(|p| saved(p).clone()))
        };
        let settings = ProviderSettings {
            kind,
            ims_host: pick(&args.ims_host, |p| &p.ims_host),
            authorize_url: pick(&args.authorize_url, |p| &p.authorize_url),
            token_url: pick(&args.token_url, |p| &p.token_url),
        };
        settings.provider()?;
        Ok(settings)
    }

    /// The core's name of the kind (see [`ProviderKind::name`]).
    pub fn kind_name(&self) -> &'static str {
        self.kind.name()
    }

    /// Whether this is Workfront's legacy OAuth 2 service.
    pub fn is_legacy(&self) -> bool {
        self.kind == ProviderKind::Legacy
    }

    /// The core's provider.
    pub fn provider(&self) -> Result<Provider, CliError> {
        let refused = |flag: &str, url: &str, e: wf_oauth_core::Error| {
            CliError::usage(format!("{flag} {url} is refused: {}", reason(&e)))
        };
        match self.kind {
            ProviderKind::Legacy => Ok(Provider::WorkfrontLegacy),
            ProviderKind::Ims => match &self.ims_host {
                None => Ok(Provider::adobe_ims()),
                Some(host) => {
                    Provider::adobe_ims_at(host).map_err(|e| refused("--ims-host", host, e))
                }
            },
            ProviderKind::Generic => {
                let (Some(authorize), Some(token)) = (&self.authorize_url, &self.token_url) else {
                    return Err(CliError::usage(
                        "--provider generic needs both --authorize-url URL and --token-url URL \
                         (the OAuth 2 server's authorization and token endpoints)",
                    ));
                };
                // Checked one by one by the core, so the message names the flag at fault.
                Ok(Provider::Generic {
                    authorize_url: Endpoint::parse(authorize)
                        .map_err(|e| refused("--authorize-url", authorize, e))?,
                    token_url: Endpoint::parse(token)
                        .map_err(|e| refused("--token-url", token, e))?,
                })
            }
        }
    }

    /// A short description for `status` and messages: `workfront-legacy`,
    /// `adobe-ims (https://ims-na1.adobelogin.com)`, `generic (https://auth.example.com/token)`.
    pub fn describe(&self) -> String {
        match self.kind {
            ProviderKind::Legacy => self.kind_name().to_owned(),
            ProviderKind::Ims => format!("adobe-ims ({})", self.ims_base()),
            ProviderKind::Generic => format!(
                "generic ({})",
                self.token_url.as_deref().unwrap_or("no token URL")
            ),
        }
    }

    /// The IMS base URL in use (the default when none was given).
    pub fn ims_base(&self) -> &str {
        self.ims_host.as_deref().unwrap_or(DEFAULT_IMS_BASE)
    }

    /// The name of the provider as the user knows it, for sentences.
    pub fn display_name(&self) -> &'static str {
        match self.kind {
            ProviderKind::Legacy => "Workfront OAuth 2",
            ProviderKind::Ims => "Adobe IMS",
            ProviderKind::Generic => "the OAuth 2 server",
        }
    }
}

/// The reason inside a core configuration error, without its generic prefix.
fn reason(error: &wf_oauth_core::Error) -> String {
    match error {
        wf_oauth_core::Error::InvalidConfig { reason } => reason.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(kind: Option<ProviderKind>) -> ProviderArgs {
        ProviderArgs {
            provider: kind,
            ..ProviderArgs::default()
        }
    }

    #[test]
    fn defaults_and_inheritance() {
        let legacy = ProviderSettings::merge(&args(None), None).unwrap();
        assert_eq!(legacy, ProviderSettings::default());
        assert_eq!(
            legacy.provider().unwrap().kind_name(),
            Provider::WorkfrontLegacy.kind_name()
        );
        let ims = ProviderSettings::merge(
            &ProviderArgs {
                ims_host: Some("http://127.0.0.1:9/".into()),
                ..args(Some(ProviderKind::Ims))
            },
            None,
        )
        .unwrap();
        assert_eq!(ims.provider().unwrap().kind_name(), "adobe-ims");
        // No flags: the saved provider, URL included.
        assert_eq!(
            ProviderSettings::merge(&args(None), Some(&ims)).unwrap(),
            ims
        );
        // Another kind: nothing inherited.
        let back = ProviderSettings::merge(&args(Some(ProviderKind::Legacy)), Some(&ims)).unwrap();
        assert_eq!(back, ProviderSettings::default());
        let default_ims = ProviderSettings::merge(&args(Some(ProviderKind::Ims)), None).unwrap();
        assert_eq!(default_ims.ims_base(), DEFAULT_IMS_BASE);
        assert!(default_ims.describe().contains("ims-na1.adobelogin.com"));
    }

    #[test]
    fn bad_combinations_are_usage_errors() {
        let cases = [
            ProviderArgs {
                ims_host: Some("https://ims-na1.adobelogin.com".into()),
                ..args(None)
            },
            ProviderArgs {
                token_url: Some("https://auth.example.com/token".into()),
                ..args(Some(ProviderKind::Ims))
            },
            args(Some(ProviderKind::Generic)),
            ProviderArgs {
                ims_host: Some("http://ims.example.com".into()),
                ..args(Some(ProviderKind::Ims))
            },
            ProviderArgs {
                authorize_url: Some("https://auth.example.com/a".into()),
                token_url: Some("http://auth.example.com/t".into()),
                ..args(Some(ProviderKind::Generic))
            },
        ];
        for case in cases {
            let e = ProviderSettings::merge(&case, None).unwrap_err();
            assert_eq!(e.exit(), crate::error::Exit::Usage, "{case:?}");
            assert!(e.message().contains("--"), "{e}");
        }
    }

    #[test]
    fn saved_names_are_the_cores_and_old_profiles_are_legacy() {
        let json = serde_json::to_value(ProviderSettings {
            kind: ProviderKind::Ims,
            ..ProviderSettings::default()
        })
        .unwrap();
        assert_eq!(json, serde_json::json!({ "provider": "adobe-ims" }));
        let old: ProviderSettings = serde_json::from_str("{}").unwrap();
        assert!(old.is_legacy());
        let generic = Provider::generic("https://a.example.com/a", "https://a.example.com/t");
        for (kind, core) in [
            (ProviderKind::Legacy, Provider::WorkfrontLegacy),
            (ProviderKind::Ims, Provider::adobe_ims()),
            (ProviderKind::Generic, generic.unwrap()),
        ] {
            let saved = serde_json::to_value(kind).unwrap();
            assert_eq!(saved, core.kind_name());
            assert_eq!(kind.name(), core.kind_name());
        }
    }
}

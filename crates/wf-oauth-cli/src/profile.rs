//! Profiles: the non-secret client configuration of one account, kept next to its tokens
//! so `token`, `api` and `refresh` work without repeating the login flags.
//!
//! Layout of the config directory (created `0700`):
//! - `profiles/<name>.json` — the [`Profile`] (`0600`): instance, client ID, provider
//!   (and its URLs), redirect URI, client authentication, API version, scope, PKCE or
//!   client credentials, and the *name* of the environment variable holding the client
//!   secret. Never the secret itself.
//! - `tokens/` — the driver's [`FileTokenStore`] (documents `0600`, atomic writes, a lock
//!   shared between processes), keyed by profile, client ID and instance.

use std::fs;
use std::io::Write as _;
use std::os::unix::fs::DirBuilderExt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use wf_oauth_core::{
    ApiVersion, ClientAuth, ClientConfig, ClientSecret, Instance, MissingStatePolicy, RedirectUri,
};
use wf_oauth_http::{CredentialStore, FileTokenStore};

use crate::error::CliError;
use crate::provider::ProviderSettings;

/// The profile used when `--profile` is not given.
pub const DEFAULT_PROFILE: &str = "default";

/// `wf-oauth COMMAND` for the profile `name`, for messages: `--profile` is left out for
/// the default profile.
pub fn profile_command(name: &str, command: &str) -> String {
    if name == DEFAULT_PROFILE {
        format!("wf-oauth {command}")
    } else {
        format!("wf-oauth {command} --profile {name}")
    }
}

/// The stored format of a profile document.
pub const PROFILE_FORMAT: u32 = 1;

/// How the client authenticates to the token endpoint, as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum AuthStyle {
    /// `Authorization: Basic`, with a JSON body for Workfront's legacy service (its first
    /// form) and a form body for other providers.
    Basic,
    /// Form body with `client_id` and `client_secret`.
    Post,
}

impl From<ClientAuth> for AuthStyle {
    fn from(auth: ClientAuth) -> Self {
        match auth {
            ClientAuth::Basic => AuthStyle::Basic,
            ClientAuth::Post => AuthStyle::Post,
        }
    }
}

impl From<AuthStyle> for ClientAuth {
    fn from(style: AuthStyle) -> Self {
        match style {
            AuthStyle::Basic => ClientAuth::Basic,
            AuthStyle::Post => ClientAuth::Post,
        }
    }
}

/// The non-secret configuration of one signed-in account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    /// Always [`PROFILE_FORMAT`].
    pub format: u32,
    /// The profile's name.
    pub name: String,
    /// The instance origin (`https://acme.my.workfront.com` or a loopback URL).
    pub instance: String,
    /// The OAuth 2 client ID.
    pub client_id: String,
    /// The registered redirect URI.
    pub redirect_uri: String,
    /// How a confidential client authenticates.
    pub client_auth: AuthStyle,
    /// The Workfront API version (`v20.0`).
    pub api_version: String,
    /// The requested scope, if any.
    #[serde(default)]
    pub scope: Option<String>,
    /// A public (single-page) client: PKCE, no secret.
    pub public_client: bool,
    /// The environment variable the client secret is read from (its name only).
    #[serde(default)]
    pub secret_env: Option<String>,
    /// The authorization server (Workfront legacy in profiles saved before providers).
    #[serde(flatten)]
    pub provider: ProviderSettings,
    /// A Server-to-Server profile: its tokens come from the client credentials grant
    /// (no user, no refresh token) and are requested again when they near expiry.
    #[serde(default)]
    pub client_credentials: bool,
}

impl Profile {
    /// The key of this profile's tokens in the token store: one credential per profile,
    /// client, instance, provider and grant (a legacy sign-in keeps the key it always
    /// had, so existing tokens stay usable).
    pub fn store_key(&self) -> String {
        let mut key = format!("{}/{}@{}", self.name, self.client_id, self.instance);
        if !self.provider.is_legacy() {
            key.push('/');
            key.push_str(self.provider.kind_name());
        }
        if self.client_credentials {
            key.push_str("/client-credentials");
        }
        key
    }

    /// The command that gets this profile new tokens, for messages.
    pub fn sign_in_command(&self) -> String {
        let command = if self.client_credentials {
            "token --client-credentials"
        } else {
            "login"
        };
        profile_command(&self.name, command)
    }

    /// What error messages about this profile name.
    pub fn hint(&self) -> crate::error::Hint {
        crate::error::Hint {
            login_command: self.sign_in_command(),
            instance: self.instance.clone(),
        }
    }

    /// What error messages about a token request name: the token endpoint's origin
    /// rather than the instance when the provider is not on the instance (Adobe IMS, a
    /// generic server).
    pub fn token_hint(&self) -> crate::error::Hint {
        let mut hint = self.hint();
        if let (Ok(provider), Ok(instance)) = (self.provider.provider(), self.instance())
            && !provider.token_endpoint_on_instance()
        {
            hint.instance = provider
                .token_endpoint(&instance)
                .origin()
                .ascii_serialization();
        }
        hint
    }

    /// The validated instance.
    pub fn instance(&self) -> Result<Instance, CliError> {
        Instance::parse(&self.instance).map_err(|e| CliError::usage(e.to_string()))
    }

    /// The core's client configuration; `secret` is required for confidential clients
    /// when a token request is made, and ignored for public ones.
    pub fn client_config(&self, secret: Option<ClientSecret>) -> Result<ClientConfig, CliError> {
        let usage = |e: wf_oauth_core::Error| CliError::usage(e.to_string());
        let mut builder = ClientConfig::builder(self.instance()?, self.client_id.clone())
            .provider(self.provider.provider()?)
            .redirect_uri(RedirectUri::parse(&self.redirect_uri).map_err(usage)?)
            .client_auth(self.client_auth.into())
            .api_version(ApiVersion::parse(&self.api_version).map_err(usage)?)
            .pkce(self.public_client)
            .missing_state(MissingStatePolicy::Reject);
        if let Some(scope) = &self.scope {
            builder = builder.scope(scope.clone());
        }
        if let (false, Some(secret)) = (self.public_client, secret) {
            builder = builder.client_secret(secret);
        }
        builder.build().map_err(usage)
    }
}

/// Checks a profile name: it becomes a file name.
pub fn check_profile_name(name: &str) -> Result<(), CliError> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        && !name.starts_with('-');
    if ok {
        Ok(())
    } else {
        Err(CliError::usage(format!(
            "invalid profile name {name:?}: use 1 to 64 letters, digits, '-' or '_'"
        )))
    }
}

/// The directory holding profiles and tokens.
#[derive(Debug, Clone)]
pub struct ConfigDir {
    root: PathBuf,
}

impl ConfigDir {
    /// `explicit` (from `--config-dir` or `WF_OAUTH_CONFIG_DIR`), else the platform's
    /// config directory (`$XDG_CONFIG_HOME/wf-oauth` or `~/.config/wf-oauth` on Linux).
    pub fn resolve(explicit: Option<&Path>) -> Result<Self, CliError> {
        let root = match explicit {
            Some(dir) => dir.to_path_buf(),
            None => dirs::config_dir()
                .map(|d| d.join("wf-oauth"))
                .ok_or_else(|| {
                    CliError::usage(
                        "cannot find a config directory (no HOME): pass --config-dir or set \
                         WF_OAUTH_CONFIG_DIR",
                    )
                })?,
        };
        Ok(ConfigDir { root })
    }

    /// The root directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    fn profiles_dir(&self) -> PathBuf {
        self.root.join("profiles")
    }

    fn profile_path(&self, name: &str) -> PathBuf {
        self.profiles_dir().join(format!("{name}.json"))
    }

    /// The token store (created `0700` on first use).
    pub fn token_store(&self) -> Result<CredentialStore, CliError> {
        Ok(CredentialStore::new(self.token_files()?))
    }

    /// The files of the token store (created `0700` on first use).
    pub fn token_files(&self) -> Result<FileTokenStore, CliError> {
        create_private_dir(&self.root)?;
        FileTokenStore::new(self.root.join("tokens")).map_err(|e| {
            CliError::failure(format!(
                "cannot open the token store in {}: {e}",
                self.root.display()
            ))
        })
    }

    /// The profile called `name`, if it exists.
    pub fn load(&self, name: &str) -> Result<Option<Profile>, CliError> {
        check_profile_name(name)?;
        let path = self.profile_path(name);
        let bytes = match fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => {
                return Err(CliError::failure(format!(
                    "cannot read {}: {e}",
                    path.display()
                )));
            }
        };
        let profile: Profile = serde_json::from_slice(&bytes).map_err(|e| {
            CliError::failure(format!(
                "{} is not a valid profile ({e}) — run `wf-oauth login --profile {name}` again",
                path.display()
            ))
        })?;
        if profile.format != PROFILE_FORMAT {
            return Err(CliError::failure(format!(
                "{} has format {}, this version reads format {PROFILE_FORMAT}",
                path.display(),
                profile.format
            )));
        }
        Ok(Some(profile))
    }

    /// The profile called `name`, or an error telling the user to sign in.
    pub fn require(&self, name: &str) -> Result<Profile, CliError> {
        self.load(name)?.ok_or_else(|| {
            let login = profile_command(name, "login");
            CliError::new(
                crate::error::Exit::ReauthRequired,
                format!("no profile named {name:?} — run `{login} --instance …` to sign in"),
            )
        })
    }

    /// Writes `profile` atomically, `0600`, in a `0700` directory.
    pub fn save(&self, profile: &Profile) -> Result<PathBuf, CliError> {
        check_profile_name(&profile.name)?;
        let dir = self.profiles_dir();
        create_private_dir(&self.root)?;
        create_private_dir(&dir)?;
        let path = self.profile_path(&profile.name);
        let fail =
            |e: std::io::Error| CliError::failure(format!("cannot write {}: {e}", path.display()));
        // A temporary file in the same directory is created 0600 and renamed over the old
        // document, so a reader never sees half a profile.
        let mut temp = tempfile::NamedTempFile::new_in(&dir).map_err(fail)?;
        let json = serde_json::to_vec_pretty(profile).expect("a profile always serializes");
        temp.write_all(&json).map_err(fail)?;
        temp.as_file().sync_all().map_err(fail)?;
        temp.persist(&path).map_err(|e| fail(e.error))?;
        Ok(path)
    }

    /// Removes the profile document (no error if it does not exist).
    pub fn delete(&self, name: &str) -> Result<(), CliError> {
        check_profile_name(name)?;
        match fs::remove_file(self.profile_path(name)) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(CliError::failure(format!(
                "cannot remove profile {name}: {e}"
            ))),
        }
    }

    /// Every stored profile, sorted by name. Unreadable documents are reported, not
    /// skipped silently.
    pub fn list(&self) -> Result<Vec<Result<Profile, CliError>>, CliError> {
        let entries = match fs::read_dir(self.profiles_dir()) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => {
                return Err(CliError::failure(format!(
                    "cannot list {}: {e}",
                    self.profiles_dir().display()
                )));
            }
        };
        let mut names: Vec<String> = entries
            .flatten()
            .filter_map(|e| {
                let name = e.file_name().into_string().ok()?;
                let stem = name.strip_suffix(".json")?;
                check_profile_name(stem).ok()?;
                Some(stem.to_owned())
            })
            .collect();
        names.sort();
        Ok(names
            .iter()
            .map(|n| {
                self.load(n)
                    .and_then(|p| p.ok_or_else(|| CliError::failure("vanished")))
            })
            .collect())
    }
}

/// Creates `dir` (and parents) with mode `0700`; an existing directory is left as it is.
fn create_private_dir(dir: &Path) -> Result<(), CliError> {
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(|e| CliError::failure(format!("cannot create {}: {e}", dir.display())))
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt as _;

    use super::*;

    fn mode_of(path: &Path) -> Option<u32> {
        fs::metadata(path)
            .ok()
            .map(|m| m.permissions().mode() & 0o777)
    }

    fn sample(name: &str) -> Profile {
        Profile {
            format: PROFILE_FORMAT,
            name: name.into(),
            instance: "https://acme.my.workfront.com".into(),
            client_id: "cid".into(),
            redirect_uri: "http://127.0.0.1:8765/callback".into(),
            client_auth: AuthStyle::Basic,
            api_version: "v20.0".into(),
            scope: None,
            public_client: false,
            secret_env: Some("WF_SECRET".into()),
            provider: ProviderSettings::default(),
            client_credentials: false,
        }
    }

    #[test]
    fn profiles_round_trip_with_private_modes() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = ConfigDir::resolve(Some(&tmp.path().join("cfg"))).unwrap();
        assert!(dir.load("work").unwrap().is_none());
        let path = dir.save(&sample("work")).unwrap();
        assert_eq!(mode_of(&path), Some(0o600));
        assert_eq!(mode_of(dir.root()), Some(0o700));
        assert_eq!(dir.load("work").unwrap(), Some(sample("work")));
        dir.save(&sample("alpha")).unwrap();
        let names: Vec<String> = dir
            .list()
            .unwrap()
            .into_iter()
            .map(|p| p.unwrap().name)
            .collect();
        assert_eq!(names, ["alpha", "work"]);
        dir.delete("work").unwrap();
        dir.delete("work").unwrap();
        assert!(dir.load("work").unwrap().is_none());
    }

    #[test]
    fn profiles_saved_before_providers_are_legacy_sign_ins() {
        let old = r#"{"format":1,"name":"work","instance":"https://acme.my.workfront.com",
            "client_id":"cid","redirect_uri":"http://127.0.0.1:8765/callback",
            "client_auth":"basic","api_version":"v20.0","scope":null,"public_client":false,
            "secret_env":"WF_SECRET"}"#;
        let profile: Profile = serde_json::from_str(old).unwrap();
        assert_eq!(profile, sample("work"));
        assert_eq!(
            profile.store_key(),
            "work/cid@https://acme.my.workfront.com"
        );
        // And a legacy profile is saved without provider URLs.
        let json = serde_json::to_value(&profile).unwrap();
        assert_eq!(json["provider"], "workfront-legacy");
        assert!(json.get("ims_host").is_none());
    }

    #[test]
    fn bad_names_and_documents_are_typed_errors() {
        for bad in ["", "../x", "a/b", "-x", &"a".repeat(65)] {
            let e = check_profile_name(bad).unwrap_err();
            assert_eq!(e.exit(), crate::error::Exit::Usage, "{bad}");
        }
        let tmp = tempfile::tempdir().unwrap();
        let dir = ConfigDir::resolve(Some(tmp.path())).unwrap();
        fs::create_dir_all(tmp.path().join("profiles")).unwrap();
        fs::write(tmp.path().join("profiles/broken.json"), b"{").unwrap();
        let e = dir.load("broken").unwrap_err();
        assert_eq!(e.exit(), crate::error::Exit::Failure);
        assert!(e.message().contains("not a valid profile"), "{e}");
        let e = dir.require("missing").unwrap_err();
        assert_eq!(e.exit(), crate::error::Exit::ReauthRequired);
    }

    #[test]
    fn client_config_keeps_the_secret_out_of_the_profile() {
        let p = sample("work");
        let json = serde_json::to_string(&p).unwrap();
        assert!(json.contains("WF_SECRET"));
        let config = p
            .client_config(Some(ClientSecret::new("s3cr3t-value")))
            .unwrap();
        assert!(!config.is_public());
        assert!(!format!("{config:?}").contains("s3cr3t-value"));
        let public = Profile {
            public_client: true,
            ..sample("spa")
        };
        assert!(public.client_config(None).unwrap().is_public());
        let broken = Profile {
            instance: "http://evil.example.com".into(),
            ..sample("x")
        };
        assert_eq!(
            broken.client_config(None).unwrap_err().exit(),
            crate::error::Exit::Usage
        );
    }
}

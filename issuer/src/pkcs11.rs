//! Issuer keys in PKCS#11 tokens (HSMs, network HSMs, YubiHSM, SoftHSM), signing with
//! `CKM_EDDSA` (pure Ed25519).
//!
//! A key is named by an RFC 7512 URI, `pkcs11:token=Issuer;object=glpi-issuer-2027`. The
//! module (the vendor's PKCS#11 library) and the user PIN never come from the command line:
//! the module path from [`MODULE_ENV`], the PIN from [`PIN_FILE_ENV`] (a file readable by its
//! owner only) or [`PIN_ENV`]. A URI that carries a PIN (`pin-value`, `pin-source`) is
//! refused, so that a PIN never lands in shell history, `ps` output or a ledger.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::error::{Error as CkError, RvError};
use cryptoki::mechanism::eddsa::{EddsaParams, EddsaSignatureScheme};
use cryptoki::mechanism::{Mechanism, MechanismType};
use cryptoki::object::{Attribute, AttributeType, KeyType, ObjectClass, ObjectHandle};
use cryptoki::session::{Session, UserType};
use cryptoki::slot::Slot;
use cryptoki::types::AuthPin;
use glpi_key::{Sign, SignerError};
use zeroize::Zeroizing;

/// Environment variable naming the PKCS#11 module (shared library) to load.
pub const MODULE_ENV: &str = "GLPI_KEY_PKCS11_MODULE";
/// Environment variable naming a file that holds the user PIN (mode 0600 or 0400).
pub const PIN_FILE_ENV: &str = "GLPI_KEY_PKCS11_PIN_FILE";
/// Environment variable holding the user PIN itself (prefer [`PIN_FILE_ENV`]).
pub const PIN_ENV: &str = "GLPI_KEY_PKCS11_PIN";

/// DER of the Ed25519 curve's object identifier, 1.3.101.112 (RFC 8410), for `CKA_EC_PARAMS`.
const ED25519_OID: [u8; 5] = [0x06, 0x03, 0x2b, 0x65, 0x70];
/// `CKA_EC_PARAMS` as the printable string "edwards25519" (PKCS#11 3.0 also allows it).
const ED25519_NAME: &[u8] = b"\x13\x0cedwards25519";

/// A parsed `pkcs11:` URI (RFC 7512): which token and which key object.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Pkcs11Uri {
    /// `token=`: the token's label.
    pub token: Option<String>,
    /// `manufacturer=`, `model=`, `serial=`: more token attributes.
    pub manufacturer: Option<String>,
    /// `model=`.
    pub model: Option<String>,
    /// `serial=`: the token's serial number.
    pub serial: Option<String>,
    /// `slot-id=`.
    pub slot_id: Option<u64>,
    /// `object=`: the key's label (`CKA_LABEL`).
    pub object: Option<String>,
    /// `id=`: the key's `CKA_ID` bytes.
    pub id: Option<Vec<u8>>,
}

impl Pkcs11Uri {
    /// Whether `s` is meant as a PKCS#11 URI (starts with `pkcs11:`).
    pub fn is_uri(s: &str) -> bool {
        s.get(..7)
            .is_some_and(|p| p.eq_ignore_ascii_case("pkcs11:"))
    }

    /// Parses a URI. Unknown path attributes are refused (a typo must not select another
    /// key); a PIN or module in the URI is refused with the way to give it instead.
    pub fn parse(s: &str) -> Result<Self, Pkcs11Error> {
        let bad = |why: String| Pkcs11Error::BadUri(why);
        if !Self::is_uri(s) {
            return Err(bad(format!("{s:?} does not start with pkcs11:")));
        }
        let rest = &s[7..];
        let (path, query) = match rest.split_once('?') {
            Some((p, q)) => (p, Some(q)),
            None => (rest, None),
        };
        let mut uri = Pkcs11Uri::default();
        for attr in path.split(';').filter(|a| !a.is_empty()) {
            let (name, value) = attr
                .split_once('=')
                .ok_or_else(|| bad(format!("{attr:?} is not name=value")))?;
            let bytes = percent_decode(value)
                .ok_or_else(|| bad(format!("{name}: {value:?} has a bad %-escape")))?;
            let text = || {
                String::from_utf8(bytes.clone())
                    .map_err(|_| bad(format!("{name}: the value is not UTF-8")))
            };
            match name {
                "token" => uri.token = Some(text()?),
                "manufacturer" => uri.manufacturer = Some(text()?),
                "model" => uri.model = Some(text()?),
                "serial" => uri.serial = Some(text()?),
                "object" => uri.object = Some(text()?),
                "id" => uri.id = Some(bytes),
                "slot-id" => {
                    uri.slot_id = Some(
                        text()?
                            .parse()
                            .map_err(|_| bad(format!("slot-id: {value:?} is not a number")))?,
                    )
                }
                "type" => {
                    let t = text()?;
                    if t != "private" {
                        return Err(bad(format!(
                            "type={t}: name the private key (type=private, or leave type out)"
                        )));
                    }
                }
                "pin-value" | "pin-source" => return Err(Pkcs11Error::PinInUri),
                "library-manufacturer"
                | "library-description"
                | "library-version"
                | "slot-description"
                | "slot-manufacturer" => {}
                other => return Err(bad(format!("unknown attribute {other:?}"))),
            }
        }
        // Every query attribute RFC 7512 defines carries a PIN or names a module: all are
        // refused, the first one found decides the message.
        let mut query_attrs = query.unwrap_or_default().split('&');
        if let Some(attr) = query_attrs.find(|a| !a.is_empty()) {
            let name = attr.split_once('=').map_or(attr, |(n, _)| n);
            return Err(match name {
                "pin-value" | "pin-source" => Pkcs11Error::PinInUri,
                "module-path" | "module-name" => Pkcs11Error::ModuleInUri,
                other => bad(format!("unknown query attribute {other:?}")),
            });
        }
        if uri.object.is_none() && uri.id.is_none() {
            return Err(bad(
                "name the key with object=LABEL (or id=%XX...)".to_owned()
            ));
        }
        Ok(uri)
    }

    /// The key's name for messages: its label, or its id in hex.
    pub fn object_name(&self) -> String {
        match (&self.object, &self.id) {
            (Some(label), _) => format!("{label:?}"),
            (None, Some(id)) => format!("id {}", hex(id)),
            (None, None) => "(unnamed)".to_owned(),
        }
    }

    /// The URI in canonical form (no PIN, no module: safe to record in a ledger).
    pub fn to_uri_string(&self) -> String {
        let mut parts = Vec::new();
        let mut push = |name: &str, v: &[u8]| parts.push(format!("{name}={}", percent_encode(v)));
        if let Some(v) = &self.manufacturer {
            push("manufacturer", v.as_bytes());
        }
        if let Some(v) = &self.model {
            push("model", v.as_bytes());
        }
        if let Some(v) = &self.serial {
            push("serial", v.as_bytes());
        }
        if let Some(v) = &self.token {
            push("token", v.as_bytes());
        }
        if let Some(v) = self.slot_id {
            push("slot-id", v.to_string().as_bytes());
        }
        if let Some(v) = &self.object {
            push("object", v.as_bytes());
        }
        if let Some(v) = &self.id {
            parts.push(format!(
                "id={}",
                v.iter().map(|b| format!("%{b:02X}")).collect::<String>()
            ));
        }
        format!("pkcs11:{}", parts.join(";"))
    }
}

fn percent_decode(s: &str) -> Option<Vec<u8>> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let h = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(h, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    Some(out)
}

fn percent_encode(v: &[u8]) -> String {
    v.iter()
        .map(|&b| {
            if b.is_ascii_alphanumeric() || b"-._~:[]@!$'()*+,=&".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn hex(v: &[u8]) -> String {
    v.iter().map(|b| format!("{b:02x}")).collect()
}

/// Where the module and the PIN come from (normally [`Pkcs11Config::from_env`]).
#[derive(Clone)]
pub struct Pkcs11Config {
    /// The PKCS#11 module to load.
    pub module: Option<PathBuf>,
    /// The user PIN; `None` for a token with a protected authentication path (PIN pad).
    pub pin: Option<Zeroizing<String>>,
    /// Where the PIN came from, for messages.
    pub pin_origin: String,
}

impl fmt::Debug for Pkcs11Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pkcs11Config")
            .field("module", &self.module)
            .field("pin", &self.pin.as_ref().map(|_| "(hidden)"))
            .field("pin_origin", &self.pin_origin)
            .finish()
    }
}

impl Pkcs11Config {
    /// Reads [`MODULE_ENV`], then the PIN from [`PIN_FILE_ENV`] or [`PIN_ENV`].
    pub fn from_env() -> Result<Self, Pkcs11Error> {
        let module = std::env::var_os(MODULE_ENV)
            .filter(|m| !m.is_empty())
            .map(PathBuf::from);
        if let Some(file) = std::env::var_os(PIN_FILE_ENV).filter(|v| !v.is_empty()) {
            let path = PathBuf::from(file);
            let pin = read_pin_file(&path)?;
            return Ok(Pkcs11Config {
                module,
                pin: Some(pin),
                pin_origin: format!("the file {} ({PIN_FILE_ENV})", path.display()),
            });
        }
        let pin = std::env::var(PIN_ENV).ok().map(Zeroizing::new);
        Ok(Pkcs11Config {
            module,
            pin,
            pin_origin: PIN_ENV.to_owned(),
        })
    }
}

/// Reads a PIN file: a regular file (not a link), readable by its owner only; the PIN is
/// its first line.
pub fn read_pin_file(path: &Path) -> Result<Zeroizing<String>, Pkcs11Error> {
    let shown = path.display().to_string();
    let meta = std::fs::symlink_metadata(path).map_err(|e| Pkcs11Error::PinFile {
        path: shown.clone(),
        why: e.to_string(),
    })?;
    if !meta.file_type().is_file() {
        return Err(Pkcs11Error::PinFile {
            path: shown,
            why: "not a regular file (links are refused)".to_owned(),
        });
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = meta.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            return Err(Pkcs11Error::PinFile {
                path: shown,
                why: format!("other users can read it (mode {mode:04o}); chmod 600 it"),
            });
        }
    }
    if meta.len() > 4096 {
        return Err(Pkcs11Error::PinFile {
            path: shown,
            why: "far too large for a PIN file".to_owned(),
        });
    }
    let text = Zeroizing::new(
        std::fs::read_to_string(path).map_err(|e| Pkcs11Error::PinFile {
            path: shown.clone(),
            why: e.to_string(),
        })?,
    );
    let pin = text
        .lines()
        .next()
        .unwrap_or_default()
        .trim_end_matches('\r');
    if pin.is_empty() {
        return Err(Pkcs11Error::PinFile {
            path: shown,
            why: "its first line is empty".to_owned(),
        });
    }
    Ok(Zeroizing::new(pin.to_owned()))
}

/// What went wrong with a PKCS#11 key, worded for the operator.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Pkcs11Error {
    /// The URI cannot be read.
    BadUri(String),
    /// The URI carries a PIN.
    PinInUri,
    /// The URI names a module.
    ModuleInUri,
    /// No module configured.
    NoModule,
    /// The module file does not exist.
    ModuleMissing(PathBuf),
    /// The module cannot be loaded or is not a PKCS#11 module.
    ModuleLoad {
        /// The module.
        path: PathBuf,
        /// The loader's or the module's error.
        why: String,
    },
    /// The PIN file cannot be used.
    PinFile {
        /// The file.
        path: String,
        /// Why.
        why: String,
    },
    /// No PIN given for a token that needs one.
    NoPin {
        /// The token's label.
        token: String,
    },
    /// The token refused the PIN.
    WrongPin {
        /// The token's label.
        token: String,
        /// Where the PIN came from.
        origin: String,
    },
    /// The token has locked its user PIN.
    PinLocked {
        /// The token's label.
        token: String,
    },
    /// No token matches the URI.
    NoToken {
        /// What the URI asked for.
        wanted: String,
        /// The tokens present, described.
        present: Vec<String>,
    },
    /// No key object matches the URI.
    NoObject {
        /// The object asked for.
        wanted: String,
        /// The token.
        token: String,
        /// The objects that are there (private keys, with their type).
        present: Vec<String>,
    },
    /// More than one private key matches.
    Ambiguous {
        /// The object asked for.
        wanted: String,
        /// How many.
        count: usize,
    },
    /// The object is not an Ed25519 key.
    NotEd25519 {
        /// The object.
        wanted: String,
        /// What it is.
        found: String,
    },
    /// The token cannot sign with Ed25519.
    NoEddsa {
        /// The token's label.
        token: String,
        /// The mechanism that is missing.
        mechanism: &'static str,
    },
    /// A key with that label already exists (keygen).
    LabelTaken {
        /// The label.
        label: String,
        /// The token.
        token: String,
    },
    /// Another PKCS#11 failure.
    Token {
        /// What was being done.
        during: &'static str,
        /// The token's answer.
        why: String,
    },
}

impl fmt::Display for Pkcs11Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Pkcs11Error::BadUri(why) => write!(f, "bad pkcs11: URI: {why} (expected pkcs11:token=LABEL;object=KEY-LABEL)"),
            Pkcs11Error::PinInUri => write!(
                f,
                "the pkcs11: URI carries a PIN (pin-value or pin-source); refusing it: a PIN on the command line ends up in shell history and process lists. Put the PIN in a file readable only by you and set {PIN_FILE_ENV} to its path"
            ),
            Pkcs11Error::ModuleInUri => write!(
                f,
                "the pkcs11: URI names the module (module-path or module-name); set {MODULE_ENV} to the module's path instead"
            ),
            Pkcs11Error::NoModule => write!(
                f,
                "no PKCS#11 module: set {MODULE_ENV} to the token's PKCS#11 library (for SoftHSM2 on Debian: /usr/lib/softhsm/libsofthsm2.so)"
            ),
            Pkcs11Error::ModuleMissing(p) => write!(
                f,
                "the PKCS#11 module {} does not exist (from {MODULE_ENV}); install the token's PKCS#11 library or fix the path",
                p.display()
            ),
            Pkcs11Error::ModuleLoad { path, why } => write!(
                f,
                "cannot use {} as a PKCS#11 module: {why}",
                path.display()
            ),
            Pkcs11Error::PinFile { path, why } => write!(f, "PIN file {path}: {why}"),
            Pkcs11Error::NoPin { token } => write!(
                f,
                "token {token:?} needs the user PIN: write it to a file readable only by you and set {PIN_FILE_ENV} to its path (or set {PIN_ENV})"
            ),
            Pkcs11Error::WrongPin { token, origin } => write!(
                f,
                "token {token:?} refused the PIN from {origin}: wrong PIN (the token may lock the PIN after a few wrong tries)"
            ),
            Pkcs11Error::PinLocked { token } => write!(
                f,
                "the user PIN of token {token:?} is locked after too many wrong tries; the security officer must unlock it"
            ),
            Pkcs11Error::NoToken { wanted, present } => {
                write!(f, "no token matches {wanted}; ")?;
                if present.is_empty() {
                    write!(f, "the module shows no token at all (is it initialised, and is SOFTHSM2_CONF or the HSM's configuration right?)")
                } else {
                    write!(f, "tokens present: {}", present.join(", "))
                }
            }
            Pkcs11Error::NoObject {
                wanted,
                token,
                present,
            } => {
                write!(f, "token {token:?} has no private key {wanted}; ")?;
                if present.is_empty() {
                    write!(f, "it holds no private key at all (create one with `glpi-key keygen --pkcs11 URI`)")
                } else {
                    write!(f, "private keys in it: {}", present.join(", "))
                }
            }
            Pkcs11Error::Ambiguous { wanted, count } => write!(
                f,
                "{count} private keys match {wanted}; add id=... to the URI to pick one"
            ),
            Pkcs11Error::NotEd25519 { wanted, found } => write!(
                f,
                "the key {wanted} is {found}, not an Ed25519 key; GLPI keys are signed with Ed25519 (create one with `glpi-key keygen --pkcs11 URI`)"
            ),
            Pkcs11Error::NoEddsa { token, mechanism } => write!(
                f,
                "token {token:?} does not offer {mechanism}: it cannot make Ed25519 keys or signatures. Use a token (or firmware) with EdDSA support"
            ),
            Pkcs11Error::LabelTaken { label, token } => write!(
                f,
                "token {token:?} already has a key labelled {label:?}; choose another object= label (keys are never replaced)"
            ),
            Pkcs11Error::Token { during, why } => write!(f, "PKCS#11 {during}: {why}"),
        }
    }
}

impl std::error::Error for Pkcs11Error {}

/// The cryptoki error as `C_Function: CKR_NAME`.
fn describe(e: &CkError) -> String {
    match e {
        CkError::Pkcs11(rv, function) => format!("{function:?} returned {rv:?}"),
        other => other.to_string(),
    }
}

fn token_error(during: &'static str) -> impl Fn(CkError) -> Pkcs11Error {
    move |e| Pkcs11Error::Token {
        during,
        why: describe(&e),
    }
}

/// Loaded modules, one context per path for the whole process (`C_Initialize` once).
fn context(config: &Pkcs11Config) -> Result<Pkcs11, Pkcs11Error> {
    static LOADED: OnceLock<Mutex<HashMap<PathBuf, Pkcs11>>> = OnceLock::new();
    let path = config.module.clone().ok_or(Pkcs11Error::NoModule)?;
    if !path.exists() {
        return Err(Pkcs11Error::ModuleMissing(path));
    }
    let mut loaded = LOADED
        .get_or_init(|| Mutex::new(HashMap::new()))
        .lock()
        .unwrap_or_else(|p| p.into_inner());
    if let Some(ctx) = loaded.get(&path) {
        return Ok(ctx.clone());
    }
    let load_error = |e: CkError| Pkcs11Error::ModuleLoad {
        path: path.clone(),
        why: match e {
            CkError::LibraryLoading(e) => {
                format!("{e} (not a PKCS#11 library, or built for another system)")
            }
            other => describe(&other),
        },
    };
    let ctx = Pkcs11::new(&path).map_err(load_error)?;
    match ctx.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK)) {
        Ok(()) | Err(CkError::Pkcs11(RvError::CryptokiAlreadyInitialized, _)) => {}
        Err(e) => return Err(load_error(e)),
    }
    loaded.insert(path, ctx.clone());
    Ok(ctx)
}

/// Finds the one token the URI names.
fn find_token(ctx: &Pkcs11, uri: &Pkcs11Uri) -> Result<(Slot, String), Pkcs11Error> {
    let slots = ctx
        .get_slots_with_token()
        .map_err(token_error("listing the slots"))?;
    let mut present = Vec::new();
    let mut found = Vec::new();
    for slot in slots {
        let Ok(info) = ctx.get_token_info(slot) else {
            continue;
        };
        let label = info.label().trim_end().to_owned();
        present.push(format!(
            "{label:?} (slot {}, serial {})",
            slot.id(),
            info.serial_number().trim_end()
        ));
        let matches = uri.token.as_ref().is_none_or(|t| *t == label)
            && uri
                .serial
                .as_ref()
                .is_none_or(|s| s == info.serial_number().trim_end())
            && uri
                .model
                .as_ref()
                .is_none_or(|m| m == info.model().trim_end())
            && uri
                .manufacturer
                .as_ref()
                .is_none_or(|m| m == info.manufacturer_id().trim_end())
            && uri.slot_id.is_none_or(|id| id == slot.id());
        if matches && info.token_initialized() {
            found.push((slot, label));
        }
    }
    let wanted = match &uri.token {
        Some(t) => format!("token={t:?}"),
        None => "the URI".to_owned(),
    };
    match found.len() {
        1 => Ok(found.remove(0)),
        0 => Err(Pkcs11Error::NoToken { wanted, present }),
        n => Err(Pkcs11Error::BadUri(format!(
            "{n} tokens match {wanted}: add token=, serial= or slot-id= to pick one (present: {})",
            present.join(", ")
        ))),
    }
}

/// Checks the token offers the mechanism.
fn require_mechanism(
    ctx: &Pkcs11,
    slot: Slot,
    token: &str,
    mechanism: MechanismType,
    name: &'static str,
) -> Result<(), Pkcs11Error> {
    let list = ctx
        .get_mechanism_list(slot)
        .map_err(token_error("listing the token's mechanisms"))?;
    check_mechanism(&list, token, mechanism, name)
}

/// [`Pkcs11Error::NoEddsa`] unless `offered` holds `mechanism`.
fn check_mechanism(
    offered: &[MechanismType],
    token: &str,
    mechanism: MechanismType,
    name: &'static str,
) -> Result<(), Pkcs11Error> {
    if offered.contains(&mechanism) {
        Ok(())
    } else {
        Err(Pkcs11Error::NoEddsa {
            token: token.to_owned(),
            mechanism: name,
        })
    }
}

/// Opens a session and logs the user in.
fn login(
    ctx: &Pkcs11,
    slot: Slot,
    token: &str,
    config: &Pkcs11Config,
    read_write: bool,
) -> Result<Session, Pkcs11Error> {
    let session = if read_write {
        ctx.open_rw_session(slot)
    } else {
        ctx.open_ro_session(slot)
    }
    .map_err(token_error("opening a session"))?;
    let info = ctx
        .get_token_info(slot)
        .map_err(token_error("reading the token's information"))?;
    if !info.login_required() {
        return Ok(session);
    }
    let pin = match &config.pin {
        Some(p) => Some(AuthPin::from(p.as_str().to_owned())),
        None if info.protected_authentication_path() => None,
        None => {
            return Err(Pkcs11Error::NoPin {
                token: token.to_owned(),
            })
        }
    };
    match session.login(UserType::User, pin.as_ref()) {
        Ok(()) | Err(CkError::Pkcs11(RvError::UserAlreadyLoggedIn, _)) => Ok(session),
        Err(CkError::Pkcs11(RvError::PinIncorrect | RvError::PinLenRange, _)) => {
            Err(Pkcs11Error::WrongPin {
                token: token.to_owned(),
                origin: config.pin_origin.clone(),
            })
        }
        Err(CkError::Pkcs11(RvError::PinLocked, _)) => Err(Pkcs11Error::PinLocked {
            token: token.to_owned(),
        }),
        Err(e) => Err(token_error("logging in")(e)),
    }
}

/// The object's label, for listings.
fn label_of(session: &Session, object: ObjectHandle) -> String {
    match session.get_attributes(object, &[AttributeType::Label]) {
        Ok(attrs) => attrs
            .into_iter()
            .find_map(|a| match a {
                Attribute::Label(l) => Some(String::from_utf8_lossy(&l).into_owned()),
                _ => None,
            })
            .unwrap_or_default(),
        Err(_) => String::new(),
    }
}

fn key_type_of(session: &Session, object: ObjectHandle) -> Option<KeyType> {
    session
        .get_attributes(object, &[AttributeType::KeyType])
        .ok()?
        .into_iter()
        .find_map(|a| match a {
            Attribute::KeyType(t) => Some(t),
            _ => None,
        })
}

fn describe_key_type(t: Option<KeyType>) -> String {
    match t {
        Some(t) if t == KeyType::EC_EDWARDS => "Ed25519".to_owned(),
        Some(t) if t == KeyType::EC => "an EC (ECDSA) key".to_owned(),
        Some(t) if t == KeyType::RSA => "an RSA key".to_owned(),
        Some(t) => format!("a {t} key"),
        None => "a key of unknown type".to_owned(),
    }
}

/// Template selecting objects of `class` named by the URI.
fn template(uri: &Pkcs11Uri, class: ObjectClass) -> Vec<Attribute> {
    let mut t = vec![Attribute::Class(class)];
    if let Some(l) = &uri.object {
        t.push(Attribute::Label(l.as_bytes().to_vec()));
    }
    if let Some(id) = &uri.id {
        t.push(Attribute::Id(id.clone()));
    }
    t
}

/// Every private key in the token, described (`"label" (Ed25519)`), for a "no such object"
/// message.
fn private_keys(session: &Session) -> Vec<String> {
    session
        .find_objects(&[Attribute::Class(ObjectClass::PRIVATE_KEY)])
        .unwrap_or_default()
        .into_iter()
        .map(|o| {
            format!(
                "{:?} ({})",
                label_of(session, o),
                describe_key_type(key_type_of(session, o))
            )
        })
        .collect()
}

/// The 32-byte public key from a `CKA_EC_POINT` value: raw, or wrapped in a DER OCTET STRING.
fn ec_point_to_key(point: &[u8]) -> Option<[u8; 32]> {
    match point {
        [0x04, 0x20, rest @ ..] if rest.len() == 32 => rest.try_into().ok(),
        raw if raw.len() == 32 => raw.try_into().ok(),
        _ => None,
    }
}

/// The public key of the key pair: from the public key object with the same id or label.
fn public_key_of(
    session: &Session,
    uri: &Pkcs11Uri,
    private: ObjectHandle,
) -> Result<[u8; 32], Pkcs11Error> {
    let id = session
        .get_attributes(private, &[AttributeType::Id])
        .ok()
        .and_then(|a| {
            a.into_iter().find_map(|a| match a {
                Attribute::Id(id) if !id.is_empty() => Some(id),
                _ => None,
            })
        });
    let mut t = vec![Attribute::Class(ObjectClass::PUBLIC_KEY)];
    match id {
        Some(id) => t.push(Attribute::Id(id)),
        None => t.extend(template(uri, ObjectClass::PUBLIC_KEY).into_iter().skip(1)),
    }
    let publics = session
        .find_objects(&t)
        .map_err(token_error("finding the public key"))?;
    let Some(&public) = publics.first() else {
        return Err(Pkcs11Error::Token {
            during: "finding the public key",
            why: format!(
                "the token has no public key object next to {}; import the public key with the same CKA_ID",
                uri.object_name()
            ),
        });
    };
    let attrs = session
        .get_attributes(public, &[AttributeType::EcPoint])
        .map_err(token_error("reading the public key"))?;
    attrs
        .into_iter()
        .find_map(|a| match a {
            Attribute::EcPoint(p) => ec_point_to_key(&p),
            _ => None,
        })
        .ok_or_else(|| Pkcs11Error::Token {
            during: "reading the public key",
            why: "CKA_EC_POINT is not a 32-byte Ed25519 point".to_owned(),
        })
}

/// An Ed25519 private key in a PKCS#11 token, logged in and ready to sign.
pub struct Pkcs11Signer {
    // Field order matters: the session closes before the context could go.
    session: Session,
    key: ObjectHandle,
    public_key: [u8; 32],
    token: String,
    uri: Pkcs11Uri,
    extractable: Option<bool>,
    last_error: Mutex<Option<String>>,
    _context: Pkcs11,
}

impl fmt::Debug for Pkcs11Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pkcs11Signer")
            .field("token", &self.token)
            .field("object", &self.uri.object_name())
            .finish_non_exhaustive()
    }
}

impl Pkcs11Signer {
    /// Loads the module, finds the token, logs in, finds the Ed25519 private key and reads
    /// its public key.
    pub fn open(uri: &Pkcs11Uri, config: &Pkcs11Config) -> Result<Self, Pkcs11Error> {
        let ctx = context(config)?;
        let (slot, token) = find_token(&ctx, uri)?;
        require_mechanism(&ctx, slot, &token, MechanismType::EDDSA, "CKM_EDDSA")?;
        let session = login(&ctx, slot, &token, config, false)?;
        let found = session
            .find_objects(&template(uri, ObjectClass::PRIVATE_KEY))
            .map_err(token_error("finding the key"))?;
        let key = match found.as_slice() {
            [one] => *one,
            [] => {
                return Err(Pkcs11Error::NoObject {
                    wanted: uri.object_name(),
                    token,
                    present: private_keys(&session),
                })
            }
            more => {
                return Err(Pkcs11Error::Ambiguous {
                    wanted: uri.object_name(),
                    count: more.len(),
                })
            }
        };
        let kind = key_type_of(&session, key);
        if kind != Some(KeyType::EC_EDWARDS) {
            return Err(Pkcs11Error::NotEd25519 {
                wanted: uri.object_name(),
                found: describe_key_type(kind),
            });
        }
        let public_key = public_key_of(&session, uri, key)?;
        let extractable = session
            .get_attributes(key, &[AttributeType::Extractable])
            .ok()
            .and_then(|a| {
                a.into_iter().find_map(|a| match a {
                    Attribute::Extractable(x) => Some(x),
                    _ => None,
                })
            });
        Ok(Pkcs11Signer {
            session,
            key,
            public_key,
            token,
            uri: uri.clone(),
            extractable,
            last_error: Mutex::new(None),
            _context: ctx,
        })
    }

    /// The token's label.
    pub fn token(&self) -> &str {
        &self.token
    }

    /// The URI that selected the key (no PIN).
    pub fn uri(&self) -> &Pkcs11Uri {
        &self.uri
    }

    /// Whether the token lets the private key leave it (`CKA_EXTRACTABLE`), if it says.
    pub fn extractable(&self) -> Option<bool> {
        self.extractable
    }

    /// The token's own description of the last signing failure, if any.
    pub fn last_error(&self) -> Option<String> {
        self.last_error
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }
}

impl Sign for Pkcs11Signer {
    fn public_key(&self) -> [u8; 32] {
        self.public_key
    }

    fn sign_ed25519(&self, message: &[u8]) -> Result<[u8; 64], SignerError> {
        let mechanism = Mechanism::Eddsa(EddsaParams::new(EddsaSignatureScheme::Pure));
        let fail = |error: SignerError, detail: String| {
            *self.last_error.lock().unwrap_or_else(|p| p.into_inner()) = Some(detail);
            error
        };
        match self.session.sign(&mechanism, self.key, message) {
            Ok(sig) => <[u8; 64]>::try_from(sig.as_slice()).map_err(|_| {
                fail(
                    SignerError::new("the token returned a signature that is not 64 bytes"),
                    format!("{} bytes", sig.len()),
                )
            }),
            Err(e) => Err(fail(signing_error(&e), describe(&e))),
        }
    }
}

/// A failed `C_Sign` as a [`SignerError`]: a reason the operator can act on, and the
/// `CKR_…` code the token returned (to look up in its documentation).
fn signing_error(e: &CkError) -> SignerError {
    let CkError::Pkcs11(rv, _) = e else {
        return SignerError::new("the PKCS#11 library failed to sign");
    };
    let reason = match rv {
        RvError::UserNotLoggedIn => "the token session is no longer logged in",
        RvError::SessionHandleInvalid | RvError::SessionClosed => "the token session was closed",
        RvError::DeviceRemoved | RvError::TokenNotPresent => "the token was removed",
        RvError::KeyFunctionNotPermitted => "the key is not allowed to sign (CKA_SIGN is false)",
        RvError::DeviceError | RvError::DeviceMemory => "the token reported a device error",
        _ => "the token refused to sign",
    };
    match ck_rv(*rv) {
        Some(code) => SignerError::with_code(reason, code),
        None => SignerError::new(reason),
    }
}

/// The numeric `CKR_…` value of a cryptoki error (cryptoki maps codes to errors only one
/// way; the standard codes are all below 0x1000, so the failure path searches them).
fn ck_rv(rv: RvError) -> Option<u64> {
    (0..0x1000u64).find(|&code| {
        cryptoki::error::Rv::from(code as cryptoki_sys::CK_RV) == cryptoki::error::Rv::Error(rv)
    })
}

/// What `keygen` made in the token.
#[derive(Debug, Clone)]
pub struct GeneratedKey {
    /// The token's label.
    pub token: String,
    /// The key's label.
    pub label: String,
    /// The `CKA_ID` given to both halves.
    pub id: Vec<u8>,
    /// The public key.
    pub public_key: [u8; 32],
    /// `CKA_EXTRACTABLE` of the private key as the token reports it (must be false).
    pub extractable: Option<bool>,
    /// `CKA_NEVER_EXTRACTABLE`, as reported.
    pub never_extractable: Option<bool>,
}

/// Creates an Ed25519 key pair inside the token: the private key is sensitive and not
/// extractable (it never leaves the token), the public key is readable. The URI must name
/// the new key by `object=`; an existing key with that label is never replaced.
pub fn generate(uri: &Pkcs11Uri, config: &Pkcs11Config) -> Result<GeneratedKey, Pkcs11Error> {
    let label = uri
        .object
        .clone()
        .ok_or_else(|| Pkcs11Error::BadUri("name the new key with object=LABEL".to_owned()))?;
    let ctx = context(config)?;
    let (slot, token) = find_token(&ctx, uri)?;
    require_mechanism(
        &ctx,
        slot,
        &token,
        MechanismType::ECC_EDWARDS_KEY_PAIR_GEN,
        "CKM_EC_EDWARDS_KEY_PAIR_GEN",
    )?;
    require_mechanism(&ctx, slot, &token, MechanismType::EDDSA, "CKM_EDDSA")?;
    let session = login(&ctx, slot, &token, config, true)?;
    let taken = session
        .find_objects(&[Attribute::Label(label.as_bytes().to_vec())])
        .map_err(token_error("looking for the label"))?;
    if !taken.is_empty() {
        return Err(Pkcs11Error::LabelTaken { label, token });
    }
    let id = match &uri.id {
        Some(id) => id.clone(),
        None => session
            .generate_random_vec(16)
            .map_err(token_error("drawing a key id from the token's generator"))?,
    };
    let public_template = [
        Attribute::Token(true),
        Attribute::Private(false),
        Attribute::Verify(true),
        Attribute::EcParams(ED25519_OID.to_vec()),
        Attribute::Label(label.as_bytes().to_vec()),
        Attribute::Id(id.clone()),
    ];
    let private_template = [
        Attribute::Token(true),
        Attribute::Private(true),
        Attribute::Sensitive(true),
        Attribute::Extractable(false),
        Attribute::Sign(true),
        Attribute::Label(label.as_bytes().to_vec()),
        Attribute::Id(id.clone()),
    ];
    let generated = session.generate_key_pair(
        &Mechanism::EccEdwardsKeyPairGen,
        &public_template,
        &private_template,
    );
    let (public, private) = match generated {
        Ok(pair) => pair,
        // Some tokens only know the curve by name.
        Err(CkError::Pkcs11(RvError::CurveNotSupported | RvError::DomainParamsInvalid, _)) => {
            let mut t = public_template.to_vec();
            t[3] = Attribute::EcParams(ED25519_NAME.to_vec());
            session
                .generate_key_pair(&Mechanism::EccEdwardsKeyPairGen, &t, &private_template)
                .map_err(token_error("generating the key pair"))?
        }
        Err(e) => return Err(token_error("generating the key pair")(e)),
    };
    let point = session
        .get_attributes(public, &[AttributeType::EcPoint])
        .map_err(token_error("reading the new public key"))?;
    let public_key = point
        .into_iter()
        .find_map(|a| match a {
            Attribute::EcPoint(p) => ec_point_to_key(&p),
            _ => None,
        })
        .ok_or_else(|| Pkcs11Error::Token {
            during: "reading the new public key",
            why: "CKA_EC_POINT is not a 32-byte Ed25519 point".to_owned(),
        })?;
    let flags = session
        .get_attributes(
            private,
            &[AttributeType::Extractable, AttributeType::NeverExtractable],
        )
        .unwrap_or_default();
    let mut extractable = None;
    let mut never_extractable = None;
    for a in flags {
        match a {
            Attribute::Extractable(x) => extractable = Some(x),
            Attribute::NeverExtractable(x) => never_extractable = Some(x),
            _ => {}
        }
    }
    Ok(GeneratedKey {
        token,
        label,
        id,
        public_key,
        extractable,
        never_extractable,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris() {
        let u =
            Pkcs11Uri::parse("pkcs11:token=Issuer%20HSM;object=glpi-2027;type=private").unwrap();
        assert_eq!(u.token.as_deref(), Some("Issuer HSM"));
        assert_eq!(u.object.as_deref(), Some("glpi-2027"));
        assert_eq!(
            u.to_uri_string(),
            "pkcs11:token=Issuer%20HSM;object=glpi-2027"
        );
        let u = Pkcs11Uri::parse("pkcs11:token=T;id=%01%AB").unwrap();
        assert_eq!(u.id, Some(vec![1, 0xab]));
        assert_eq!(u.object_name(), "id 01ab");
        assert!(Pkcs11Uri::is_uri("PKCS11:token=x"));
        assert!(!Pkcs11Uri::is_uri("issuer.key"));
    }

    #[test]
    fn a_pin_or_module_in_the_uri_is_refused() {
        for s in [
            "pkcs11:token=T;object=k;pin-value=1234",
            "pkcs11:token=T;object=k?pin-value=1234",
            "pkcs11:token=T;object=k?pin-source=file:/tmp/pin",
        ] {
            assert_eq!(Pkcs11Uri::parse(s), Err(Pkcs11Error::PinInUri), "{s}");
        }
        assert_eq!(
            Pkcs11Uri::parse("pkcs11:token=T;object=k?module-path=/tmp/evil.so"),
            Err(Pkcs11Error::ModuleInUri)
        );
        assert!(Pkcs11Error::PinInUri.to_string().contains(PIN_FILE_ENV));
    }

    #[test]
    fn bad_uris_say_why() {
        for (s, want) in [
            ("pkcs11:token=T", "object=LABEL"),
            ("pkcs11:token=T;objekt=k", "unknown attribute \"objekt\""),
            ("pkcs11:token=T;object=%zz", "bad %-escape"),
            ("pkcs11:token=T;object=k;type=public", "type=public"),
            ("pkcs11:token", "not name=value"),
        ] {
            let e = Pkcs11Uri::parse(s).unwrap_err().to_string();
            assert!(e.contains(want), "{s}: {e}");
        }
    }

    #[test]
    fn ec_points() {
        let mut der = vec![0x04, 0x20];
        der.extend([9u8; 32]);
        assert_eq!(ec_point_to_key(&der), Some([9; 32]));
        assert_eq!(ec_point_to_key(&[9; 32]), Some([9; 32]));
        assert_eq!(ec_point_to_key(&[9; 31]), None);
    }

    #[test]
    fn pin_files_must_be_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("pin");
        std::fs::write(&p, "1234\n").unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o644)).unwrap();
        let e = read_pin_file(&p).unwrap_err().to_string();
        assert!(e.contains("mode 0644"), "{e}");
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600)).unwrap();
        assert_eq!(read_pin_file(&p).unwrap().as_str(), "1234");
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&p, &link).unwrap();
        assert!(read_pin_file(&link)
            .unwrap_err()
            .to_string()
            .contains("links"));
    }

    #[test]
    fn signing_failures_carry_the_token_code() {
        use cryptoki::context::Function;
        let e = signing_error(&CkError::Pkcs11(RvError::UserNotLoggedIn, Function::Sign));
        assert_eq!(
            e.to_string(),
            "the token session is no longer logged in (code 0x101)"
        );
        let e = signing_error(&CkError::Pkcs11(
            RvError::KeyFunctionNotPermitted,
            Function::Sign,
        ));
        assert_eq!(e.code(), Some(0x68));
        let e = signing_error(&CkError::Pkcs11(RvError::GeneralError, Function::Sign));
        assert_eq!(e.to_string(), "the token refused to sign (code 0x5)");
    }

    #[test]
    fn a_token_without_eddsa_is_named() {
        // SoftHSM2 always offers CKM_EDDSA; this is the check a token without it meets (for
        // example a YubiHSM 2 or a Luna before Ed25519 firmware).
        let rsa_only = [
            MechanismType::RSA_PKCS,
            MechanismType::ECDSA,
            MechanismType::SHA256,
        ];
        let e =
            check_mechanism(&rsa_only, "Old HSM", MechanismType::EDDSA, "CKM_EDDSA").unwrap_err();
        assert_eq!(
            e.to_string(),
            "token \"Old HSM\" does not offer CKM_EDDSA: it cannot make Ed25519 keys or signatures. Use a token (or firmware) with EdDSA support"
        );
        let with = [MechanismType::EDDSA];
        assert_eq!(
            check_mechanism(&with, "T", MechanismType::EDDSA, "CKM_EDDSA"),
            Ok(())
        );
    }

    #[test]
    fn a_missing_module_is_named() {
        let config = Pkcs11Config {
            module: None,
            pin: None,
            pin_origin: String::new(),
        };
        let uri = Pkcs11Uri::parse("pkcs11:token=T;object=k").unwrap();
        let e = Pkcs11Signer::open(&uri, &config).unwrap_err();
        assert_eq!(e, Pkcs11Error::NoModule);
        let config = Pkcs11Config {
            module: Some("/nonexistent/libpkcs11.so".into()),
            ..config
        };
        let e = Pkcs11Signer::open(&uri, &config).unwrap_err();
        assert!(e.to_string().contains("does not exist"), "{e}");
    }
}

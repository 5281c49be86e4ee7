//! The seeded, deterministic Workfront data set: 250 projects, 1,000 tasks, 40 users.
//!
//! Every record keeps its values in the order of its object type's field list and a
//! pre-serialized JSON of the default fields (`ID`, `name`, `objCode`), so the common
//! search answers by copying bytes rather than serializing.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// Number of seeded projects.
pub const PROJECT_COUNT: usize = 250;
/// Number of seeded tasks (four per project).
pub const TASK_COUNT: usize = 1_000;
/// Number of seeded users.
pub const USER_COUNT: usize = 40;

/// The object types the mock serves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ObjCode {
    Proj,
    Task,
    User,
}

/// What values a field holds (used to validate writes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Id,
    Str,
    Num,
    Bool,
}

/// A field of an object type.
#[derive(Debug)]
pub(crate) struct Field {
    pub name: &'static str,
    pub kind: Kind,
    pub writable: bool,
}

const fn f(name: &'static str, kind: Kind, writable: bool) -> Field {
    Field {
        name,
        kind,
        writable,
    }
}

/// Positions of the default fields in every field list.
pub(crate) const ID: usize = 0;
pub(crate) const NAME: usize = 1;
pub(crate) const OBJCODE: usize = 2;

static PROJ_FIELDS: [Field; 10] = [
    f("ID", Kind::Id, false),
    f("name", Kind::Str, true),
    f("objCode", Kind::Str, false),
    f("status", Kind::Str, true),
    f("description", Kind::Str, true),
    f("plannedStartDate", Kind::Str, true),
    f("plannedCompletionDate", Kind::Str, true),
    f("percentComplete", Kind::Num, true),
    f("priority", Kind::Num, true),
    f("ownerID", Kind::Id, true),
];

static TASK_FIELDS: [Field; 10] = [
    f("ID", Kind::Id, false),
    f("name", Kind::Str, false),
    f("objCode", Kind::Str, false),
    f("status", Kind::Str, false),
    f("projectID", Kind::Id, false),
    f("taskNumber", Kind::Num, false),
    f("plannedStartDate", Kind::Str, false),
    f("plannedCompletionDate", Kind::Str, false),
    f("percentComplete", Kind::Num, false),
    f("assignedToID", Kind::Id, false),
];

static USER_FIELDS: [Field; 9] = [
    f("ID", Kind::Id, false),
    f("name", Kind::Str, false),
    f("objCode", Kind::Str, false),
    f("firstName", Kind::Str, false),
    f("lastName", Kind::Str, false),
    f("username", Kind::Str, false),
    f("emailAddr", Kind::Str, false),
    f("title", Kind::Str, false),
    f("isActive", Kind::Bool, false),
];

/// Project statuses Workfront uses (current, planning, complete, on hold, dead).
pub(crate) const PROJECT_STATUSES: [&str; 5] = ["CUR", "PLN", "CPL", "ONH", "DED"];

impl ObjCode {
    /// Parses an objCode from a URL, case-insensitively (`proj`, `PROJ`, `project`).
    pub fn parse(s: &str) -> Option<Self> {
        match s.to_ascii_lowercase().as_str() {
            "proj" | "project" => Some(ObjCode::Proj),
            "task" => Some(ObjCode::Task),
            "user" => Some(ObjCode::User),
            _ => None,
        }
    }

    /// The canonical objCode.
    pub fn code(self) -> &'static str {
        match self {
            ObjCode::Proj => "PROJ",
            ObjCode::Task => "TASK",
            ObjCode::User => "USER",
        }
    }

    /// The object's display name, as in Workfront error messages.
    pub fn label(self) -> &'static str {
        match self {
            ObjCode::Proj => "Project",
            ObjCode::Task => "Task",
            ObjCode::User => "User",
        }
    }

    /// The fields, `ID`, `name`, `objCode` first.
    pub fn fields(self) -> &'static [Field] {
        match self {
            ObjCode::Proj => &PROJ_FIELDS,
            ObjCode::Task => &TASK_FIELDS,
            ObjCode::User => &USER_FIELDS,
        }
    }

    /// Index of a field by its exact name.
    pub fn field_index(self, name: &str) -> Option<usize> {
        self.fields().iter().position(|f| f.name == name)
    }
}

/// One object.
#[derive(Debug)]
pub(crate) struct Record {
    pub values: Vec<Value>,
    default_json: Box<[u8]>,
}

impl Record {
    fn new(values: Vec<Value>) -> Self {
        let mut out = Vec::with_capacity(96);
        out.extend_from_slice(b"{\"ID\":");
        write_value(&mut out, &values[ID]);
        out.extend_from_slice(b",\"name\":");
        write_value(&mut out, &values[NAME]);
        out.extend_from_slice(b",\"objCode\":");
        write_value(&mut out, &values[OBJCODE]);
        out.push(b'}');
        Record {
            values,
            default_json: out.into_boxed_slice(),
        }
    }

    /// JSON of the default fields.
    pub fn default_json(&self) -> &[u8] {
        &self.default_json
    }
}

/// Appends a JSON value (serializing a `Value` into a `Vec` cannot fail).
pub(crate) fn write_value(out: &mut Vec<u8>, v: &Value) {
    let _ = serde_json::to_writer(&mut *out, v);
}

/// The objects of one type, ordered by ID.
pub(crate) type Table = BTreeMap<String, Arc<Record>>;

/// All objects. Projects can be written; tasks and users are read-only.
#[derive(Debug)]
pub(crate) struct DataSet {
    proj: RwLock<Table>,
    task: Table,
    user: Table,
    user_ids: Vec<String>,
    created: AtomicU64,
}

/// A deterministic 32-hex-digit ID.
fn hex_id(seed: &str) -> String {
    Sha256::digest(seed.as_bytes())[..16]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Days since 1970-01-01 → (year, month, day) (Howard Hinnant's civil_from_days).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// A Workfront-formatted date-time, `days` after 2025-01-06.
fn wf_date(days: i64) -> String {
    // 2025-01-06 is day 20094 of the Unix epoch.
    let (y, m, d) = civil_from_days(20_094 + days);
    format!("{y:04}-{m:02}-{d:02}T09:00:00:000+0000")
}

const PREFIXES: [&str; 10] = [
    "Apollo", "Borealis", "Cobalt", "Delta", "Ember", "Falcon", "Granite", "Helix", "Ion",
    "Juniper",
];
const SUBJECTS: [&str; 10] = [
    "Website Redesign",
    "Data Migration",
    "Brand Refresh",
    "ERP Rollout",
    "Mobile App",
    "Office Move",
    "Campaign",
    "Security Audit",
    "Training Program",
    "Vendor Onboarding",
];
const PHASES: [&str; 4] = ["Kickoff", "Design", "Build", "Launch"];
const FIRST: [&str; 8] = [
    "Alex", "Blake", "Casey", "Drew", "Emery", "Finley", "Harper", "Jordan",
];
const LAST: [&str; 5] = ["Morgan", "Reyes", "Nakamura", "Okafor", "Lindqvist"];
const TITLES: [&str; 4] = ["Project Manager", "Designer", "Engineer", "Marketing Lead"];

impl DataSet {
    /// The seeded data set; identical on every run.
    pub fn seeded() -> Self {
        let mut user = Table::new();
        let mut user_ids = Vec::with_capacity(USER_COUNT);
        for i in 0..USER_COUNT {
            let id = hex_id(&format!("user:{i}"));
            let (first, last, username) = if i == 0 {
                ("Demo", "User", "demo".to_owned())
            } else {
                let (fi, la) = (FIRST[i % FIRST.len()], LAST[(i / FIRST.len()) % LAST.len()]);
                (
                    fi,
                    la,
                    format!("{}.{}{i}", fi.to_lowercase(), la.to_lowercase()),
                )
            };
            let rec = Record::new(vec![
                json!(id),
                json!(format!("{first} {last}")),
                json!("USER"),
                json!(first),
                json!(last),
                json!(username),
                json!(format!("{username}@mock.example")),
                json!(TITLES[i % TITLES.len()]),
                json!(i % 13 != 12),
            ]);
            user_ids.push(id.clone());
            user.insert(id, Arc::new(rec));
        }

        let mut proj = Table::new();
        let mut proj_ids = Vec::with_capacity(PROJECT_COUNT);
        for i in 0..PROJECT_COUNT {
            let id = hex_id(&format!("proj:{i}"));
            let start = ((i * 3) % 365) as i64;
            let name = format!(
                "{} {} {:03}",
                PREFIXES[i % PREFIXES.len()],
                SUBJECTS[(i / PREFIXES.len()) % SUBJECTS.len()],
                i + 1
            );
            let rec = Record::new(vec![
                json!(id),
                json!(name),
                json!("PROJ"),
                json!(PROJECT_STATUSES[i % PROJECT_STATUSES.len()]),
                json!(format!("Seeded project number {}", i + 1)),
                json!(wf_date(start)),
                json!(wf_date(start + 30 + ((i * 7) % 90) as i64)),
                json!((i * 13) % 101),
                json!(i % 5),
                json!(user_ids[i % USER_COUNT]),
            ]);
            proj_ids.push(id.clone());
            proj.insert(id, Arc::new(rec));
        }

        let mut task = Table::new();
        for i in 0..TASK_COUNT {
            let p = i / PHASES.len();
            let k = i % PHASES.len();
            let id = hex_id(&format!("task:{i}"));
            let start = ((p * 3) % 365 + k * 7) as i64;
            let rec = Record::new(vec![
                json!(id),
                json!(format!("{} (P{:03}-{})", PHASES[k], p + 1, k + 1)),
                json!("TASK"),
                json!(["NEW", "INP", "CPL"][i % 3]),
                json!(proj_ids[p]),
                json!(k + 1),
                json!(wf_date(start)),
                json!(wf_date(start + 7)),
                json!(if i % 3 == 2 { 100 } else { (i * 17) % 100 }),
                json!(user_ids[(i * 7) % USER_COUNT]),
            ]);
            task.insert(id, Arc::new(rec));
        }

        DataSet {
            proj: RwLock::new(proj),
            task,
            user,
            user_ids,
            created: AtomicU64::new(0),
        }
    }

    /// Runs `f` on the table of `obj`.
    pub fn with_table<R>(&self, obj: ObjCode, f: impl FnOnce(&Table) -> R) -> R {
        match obj {
            ObjCode::Proj => f(&self
                .proj
                .read()
                .unwrap_or_else(std::sync::PoisonError::into_inner)),
            ObjCode::Task => f(&self.task),
            ObjCode::User => f(&self.user),
        }
    }

    /// The ID of the data-set user standing for sign-in user `idx`.
    pub fn user_id(&self, idx: usize) -> &str {
        &self.user_ids[idx % self.user_ids.len()]
    }

    fn proj_mut(&self) -> std::sync::RwLockWriteGuard<'_, Table> {
        self.proj
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Creates a project from validated `(field index, value)` pairs (must include a name).
    pub fn create_proj(&self, updates: &[(usize, Value)]) -> Arc<Record> {
        let n = self.created.fetch_add(1, Ordering::SeqCst);
        let id = hex_id(&format!("proj:created:{n}"));
        let mut values = vec![Value::Null; PROJ_FIELDS.len()];
        values[ID] = json!(id);
        values[OBJCODE] = json!("PROJ");
        values[3] = json!("PLN");
        values[7] = json!(0);
        values[8] = json!(2);
        for (i, v) in updates {
            values[*i] = v.clone();
        }
        let rec = Arc::new(Record::new(values));
        self.proj_mut().insert(id, rec.clone());
        rec
    }

    /// Applies validated updates to a project.
    pub fn update_proj(&self, id: &str, updates: &[(usize, Value)]) -> Option<Arc<Record>> {
        let mut table = self.proj_mut();
        let old = table.get(id)?;
        let mut values = old.values.clone();
        for (i, v) in updates {
            values[*i] = v.clone();
        }
        let rec = Arc::new(Record::new(values));
        table.insert(id.to_owned(), rec.clone());
        Some(rec)
    }

    /// Deletes a project; returns whether it existed.
    pub fn delete_proj(&self, id: &str) -> bool {
        self.proj_mut().remove(id).is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeded_data_is_deterministic_and_sized() {
        let a = DataSet::seeded();
        let b = DataSet::seeded();
        assert_eq!(a.with_table(ObjCode::Proj, |t| t.len()), PROJECT_COUNT);
        assert_eq!(a.with_table(ObjCode::Task, |t| t.len()), TASK_COUNT);
        assert_eq!(a.with_table(ObjCode::User, |t| t.len()), USER_COUNT);
        let ids_a: Vec<String> = a.with_table(ObjCode::Proj, |t| t.keys().cloned().collect());
        let ids_b: Vec<String> = b.with_table(ObjCode::Proj, |t| t.keys().cloned().collect());
        assert_eq!(ids_a, ids_b);
        assert!(ids_a.iter().all(|id| id.len() == 32));
        let names: std::collections::HashSet<String> = a.with_table(ObjCode::Proj, |t| {
            t.values().map(|r| r.values[NAME].to_string()).collect()
        });
        assert_eq!(names.len(), PROJECT_COUNT);
    }

    #[test]
    fn dates_are_formatted_like_workfront() {
        assert_eq!(wf_date(0), "2025-01-06T09:00:00:000+0000");
        assert_eq!(wf_date(26), "2025-02-01T09:00:00:000+0000");
        assert_eq!(wf_date(360), "2026-01-01T09:00:00:000+0000");
    }

    #[test]
    fn default_json_is_valid() {
        let d = DataSet::seeded();
        d.with_table(ObjCode::User, |t| {
            for r in t.values() {
                let v: Value = serde_json::from_slice(r.default_json()).unwrap();
                assert_eq!(v["objCode"], "USER");
            }
        });
    }
}

//! The profile file: a TOML document in which a Comune describes its practice (feature
//! `std`). The format is documented field by field in `docs/profiles.md`; every field that a
//! Comune may leave out defaults to the national baseline.
//!
//! Loading checks three things, and each failure is a [`ProfileError`] that names the line
//! and the field:
//! 1. the TOML syntax and the shape of every field (unknown fields are refused, so a typo is
//!    never silently ignored);
//! 2. the values (dates that exist, an opening time before its closing time, ...);
//! 3. the national rules: a profile that would send a second half to a PEC (R5), to a
//!    delegate (I1), print it on paper without the consent form (R6), let a delegate change
//!    the contacts (R7), accept requests by ordinary e-mail or identify nobody (R1), make the
//!    counter service not immediate (R8), or let a representative or a delegate ask without
//!    the document that proves the representation (R9) is refused, naming the rule.

use alloc::borrow::ToOwned;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt;
use core::ops::Range;

use serde::Deserialize;
use toml::Spanned;

use super::date::{CivilDate, TimeOfDay, Weekday, WeekdaySet};
use super::profile::{
    AcceptedIds, Admission, Asker, Comune, ContactChanges, DateRange, Delegation, Fee, HomeVisits,
    Opening, Permission, Profile, ProfileId, RemoteRequests, Representatives, Requesters,
    Residency, Season, Window,
};
use super::request::{Document, DocumentSet};
use super::rule::RuleId;

/// The version of the file format this crate reads (the `format` field).
pub const FORMAT: i64 = 1;

/// A profile file that cannot be loaded: where, which field, what, and the national rule it
/// breaks when it breaks one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProfileError {
    /// The line (1-based), or 0 when the file has no line for it (e.g. a missing field).
    pub line: usize,
    /// The field, dotted (`requesters.delegate.second-halves`); empty when unknown.
    pub field: String,
    /// What is wrong, in English.
    pub message: String,
    /// The national rule the profile contradicts, if that is the reason.
    pub rule: Option<RuleId>,
}

impl fmt::Display for ProfileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line > 0 {
            write!(f, "line {}", self.line)?;
        } else {
            f.write_str("profile")?;
        }
        if !self.field.is_empty() {
            write!(f, ", field `{}`", self.field)?;
        }
        write!(f, ": {}", self.message)?;
        if let Some(rule) = self.rule {
            write!(f, " (national rule {rule})")?;
        }
        Ok(())
    }
}

impl core::error::Error for ProfileError {}

fn line_of(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()
        .get(..end)
        .map_or(0, |b| b.iter().filter(|c| **c == b'\n').count())
        .saturating_add(1)
}

/// The dotted key at `offset`: the last table header before it and the key on its line.
fn key_at(text: &str, offset: usize) -> String {
    let before = text.get(..offset.min(text.len())).unwrap_or("");
    let mut table = String::new();
    for l in before.lines() {
        let t = l.trim();
        if let Some(h) = t.strip_prefix('[') {
            table = h
                .trim_start_matches('[')
                .split(']')
                .next()
                .unwrap_or("")
                .trim()
                .to_owned();
        }
    }
    let line_start = before.rfind('\n').map_or(0, |i| i.saturating_add(1));
    let line = text
        .get(line_start..)
        .and_then(|l| l.lines().next())
        .unwrap_or("");
    let key = line.split('=').next().unwrap_or("").trim();
    let key = if line.contains('=') && !key.starts_with('[') {
        key
    } else {
        ""
    };
    match (table.is_empty(), key.is_empty()) {
        (true, _) => key.to_owned(),
        (false, true) => table,
        (false, false) => format!("{table}.{key}"),
    }
}

fn from_toml_error(text: &str, mut e: toml::de::Error) -> ProfileError {
    let span = e.span();
    e.set_input(None);
    let bare = e.to_string();
    let mut field = bare
        .lines()
        .find_map(|l| l.strip_prefix("in `").and_then(|k| k.strip_suffix('`')))
        .map(str::to_owned)
        .unwrap_or_default();
    if field.is_empty()
        && let Some(s) = &span
    {
        field = key_at(text, s.start);
    }
    ProfileError {
        line: span.map_or(0, |s| line_of(text, s.start)),
        field,
        message: e.message().to_owned(),
        rule: None,
    }
}

struct Checker<'a> {
    text: &'a str,
}

impl Checker<'_> {
    fn err(&self, span: &Range<usize>, field: &str, message: &str) -> ProfileError {
        ProfileError {
            line: if span.is_empty() && span.start == 0 {
                0
            } else {
                line_of(self.text, span.start)
            },
            field: field.to_owned(),
            message: message.to_owned(),
            rule: None,
        }
    }

    fn rule(&self, span: &Range<usize>, field: &str, rule: RuleId, message: &str) -> ProfileError {
        ProfileError {
            rule: Some(rule),
            ..self.err(span, field, message)
        }
    }
}

fn spanned<T>(v: T) -> Spanned<T> {
    Spanned::new(0..0, v)
}

// ---- the file model -------------------------------------------------------------------

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct File {
    format: Spanned<i64>,
    name: Spanned<String>,
    version: Spanned<String>,
    #[serde(default)]
    #[allow(dead_code)]
    description: String,
    #[serde(default)]
    comune: FileComune,
    #[serde(default)]
    service: FileService,
    #[serde(default)]
    residency: FileResidency,
    #[serde(default)]
    requesters: FileRequesters,
    #[serde(default)]
    remote: FileRemote,
    #[serde(default)]
    contacts: FileContacts,
    #[serde(default)]
    second_halves: FileSecondHalves,
    #[serde(default)]
    home_visits: FileHomeVisits,
    #[serde(default)]
    opening: Option<FileOpening>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
struct FileComune {
    name: String,
    office: String,
    address: String,
    email: String,
    phone: String,
    booking: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
struct FileService {
    immediate: Spanned<bool>,
    free: bool,
}

impl Default for FileService {
    fn default() -> Self {
        FileService {
            immediate: spanned(true),
            free: false,
        }
    }
}

#[derive(Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
enum Served {
    Anyone,
    ResidentsOnly,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
struct FileResidency {
    served: Served,
}

impl Default for FileResidency {
    fn default() -> Self {
        FileResidency {
            served: Served::Anyone,
        }
    }
}

#[derive(Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
enum IdName {
    Cie,
    IdentityDocument,
}

#[derive(Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
enum DocName {
    SignedDelegation,
    HolderUnableStatement,
    ActOfAppointment,
    MedicalCertificate,
    IdentityDocumentCopy,
    PhoneNumber,
}

impl DocName {
    const fn document(self) -> Document {
        match self {
            DocName::SignedDelegation => Document::SignedDelegation,
            DocName::HolderUnableStatement => Document::HolderUnableStatement,
            DocName::ActOfAppointment => Document::ActOfAppointment,
            DocName::MedicalCertificate => Document::MedicalCertificate,
            DocName::IdentityDocumentCopy => Document::IdentityDocumentCopy,
            DocName::PhoneNumber => Document::PhoneNumber,
        }
    }
}

fn any_id() -> Spanned<Vec<IdName>> {
    spanned(alloc::vec![IdName::Cie, IdName::IdentityDocument])
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
struct FileHolder {
    identification: Spanned<Vec<IdName>>,
    documents: Vec<DocName>,
}

impl Default for FileHolder {
    fn default() -> Self {
        FileHolder {
            identification: any_id(),
            documents: Vec::new(),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
struct FileRepresentative {
    allowed: bool,
    identification: Spanned<Vec<IdName>>,
    documents: Spanned<Vec<DocName>>,
}

impl Default for FileRepresentative {
    fn default() -> Self {
        FileRepresentative {
            allowed: true,
            identification: any_id(),
            documents: spanned(alloc::vec![DocName::ActOfAppointment]),
        }
    }
}

/// The parent of a minor: the same fields, no document by default.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
struct FileParent {
    allowed: bool,
    identification: Spanned<Vec<IdName>>,
    documents: Spanned<Vec<DocName>>,
}

impl Default for FileParent {
    fn default() -> Self {
        FileParent {
            allowed: true,
            identification: any_id(),
            documents: spanned(Vec::new()),
        }
    }
}

#[derive(Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
enum Practice {
    NotAllowed,
    HolderCannotCome,
    FirstHalvesOnly,
}

#[derive(Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
enum DelegateSecondHalves {
    HolderRegisteredEmail,
    DelegateInPerson,
    DelegateEmail,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
struct FileDelegate {
    practice: Practice,
    identification: Spanned<Vec<IdName>>,
    documents: Spanned<Vec<DocName>>,
    second_halves: Spanned<DelegateSecondHalves>,
}

impl Default for FileDelegate {
    fn default() -> Self {
        FileDelegate {
            practice: Practice::NotAllowed,
            identification: any_id(),
            documents: spanned(alloc::vec![DocName::SignedDelegation]),
            second_halves: spanned(DelegateSecondHalves::HolderRegisteredEmail),
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
struct FileRequesters {
    holder: FileHolder,
    parent_of_minor: FileParent,
    legal_representative: FileRepresentative,
    delegate: FileDelegate,
}

#[derive(Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
enum RemoteChannel {
    PecSignedForm,
    InadDomicile,
    Email,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
struct FileRemote {
    channels: Spanned<Vec<RemoteChannel>>,
}

impl Default for FileRemote {
    fn default() -> Self {
        FileRemote {
            channels: spanned(Vec::new()),
        }
    }
}

#[derive(Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
enum Who {
    Holder,
    ParentOfMinor,
    LegalRepresentative,
    Delegate,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
struct FileContacts {
    changed_by: Spanned<Vec<Who>>,
}

impl Default for FileContacts {
    fn default() -> Self {
        FileContacts {
            changed_by: spanned(alloc::vec![Who::Holder]),
        }
    }
}

#[derive(Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
enum SecondHalfDestination {
    RegisteredEmail,
    OtherEmail,
    PaperWithConsentForm,
    Pec,
    Paper,
    Delegate,
}

const NATIONAL_SECOND_HALVES: [SecondHalfDestination; 3] = [
    SecondHalfDestination::RegisteredEmail,
    SecondHalfDestination::OtherEmail,
    SecondHalfDestination::PaperWithConsentForm,
];

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
struct FileSecondHalves {
    to: Spanned<Vec<SecondHalfDestination>>,
}

impl Default for FileSecondHalves {
    fn default() -> Self {
        FileSecondHalves {
            to: spanned(NATIONAL_SECOND_HALVES.to_vec()),
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
struct FileHomeVisits {
    offered: bool,
}

#[derive(Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
enum AdmissionName {
    WalkIn,
    AppointmentOnly,
}

impl AdmissionName {
    const fn admission(self) -> Admission {
        match self {
            AdmissionName::WalkIn => Admission::WalkIn,
            AdmissionName::AppointmentOnly => Admission::AppointmentOnly,
        }
    }
}

#[derive(Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
enum DayName {
    #[serde(alias = "lun")]
    Mon,
    #[serde(alias = "mar")]
    Tue,
    #[serde(alias = "mer")]
    Wed,
    #[serde(alias = "gio")]
    Thu,
    #[serde(alias = "ven")]
    Fri,
    #[serde(alias = "sab")]
    Sat,
    #[serde(alias = "dom")]
    Sun,
}

impl DayName {
    const fn weekday(self) -> Weekday {
        match self {
            DayName::Mon => Weekday::Monday,
            DayName::Tue => Weekday::Tuesday,
            DayName::Wed => Weekday::Wednesday,
            DayName::Thu => Weekday::Thursday,
            DayName::Fri => Weekday::Friday,
            DayName::Sat => Weekday::Saturday,
            DayName::Sun => Weekday::Sunday,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct FileRange {
    first: Spanned<toml::value::Datetime>,
    last: Spanned<toml::value::Datetime>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct FileWindow {
    days: Spanned<Vec<DayName>>,
    from: Spanned<String>,
    to: Spanned<String>,
    #[serde(default)]
    except: Vec<FileRange>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct FileSeason {
    first: Spanned<toml::value::Datetime>,
    last: Spanned<toml::value::Datetime>,
    admission: AdmissionName,
    hours: Vec<FileWindow>,
    #[serde(default)]
    except: Vec<FileRange>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct FileOpening {
    admission: AdmissionName,
    hours: Vec<FileWindow>,
    #[serde(default)]
    seasons: Vec<FileSeason>,
}

// ---- from the file model to the profile ----------------------------------------------

fn ids(
    c: &Checker<'_>,
    v: &Spanned<Vec<IdName>>,
    field: &str,
) -> Result<AcceptedIds, ProfileError> {
    let has = |n: IdName| {
        if v.get_ref().contains(&n) {
            Permission::Allowed
        } else {
            Permission::NotAllowed
        }
    };
    let out = AcceptedIds {
        cie: has(IdName::Cie),
        other_document: has(IdName::IdentityDocument),
    };
    if out.is_empty() {
        return Err(c.rule(
            &v.span(),
            field,
            RuleId::R1,
            "at least one identification document must be accepted: the officer identifies every requester",
        ));
    }
    Ok(out)
}

fn docs(v: &[DocName]) -> DocumentSet {
    v.iter()
        .fold(DocumentSet::EMPTY, |s, d| s.with(d.document()))
}

fn date(
    c: &Checker<'_>,
    v: &Spanned<toml::value::Datetime>,
    field: &str,
) -> Result<CivilDate, ProfileError> {
    let dt = v.get_ref();
    let (Some(d), None) = (dt.date, dt.time) else {
        return Err(c.err(
            &v.span(),
            field,
            "expected a date such as 2026-06-01, without a time",
        ));
    };
    CivilDate::new(d.year, d.month, d.day)
        .map_err(|_| c.err(&v.span(), field, "not a date of the calendar"))
}

fn range(c: &Checker<'_>, r: &FileRange, field: &str) -> Result<DateRange, ProfileError> {
    let first = date(c, &r.first, &format!("{field}.first"))?;
    let last = date(c, &r.last, &format!("{field}.last"))?;
    if last < first {
        return Err(c.err(
            &r.last.span(),
            &format!("{field}.last"),
            "the last day comes before the first",
        ));
    }
    Ok(DateRange { first, last })
}

fn time(c: &Checker<'_>, v: &Spanned<String>, field: &str) -> Result<TimeOfDay, ProfileError> {
    let bad = || {
        c.err(
            &v.span(),
            field,
            "expected a time \"HH:MM\", 00:00 to 23:59",
        )
    };
    let s = v.get_ref();
    let (h, m) = s.split_once(':').ok_or_else(bad)?;
    if h.len() != 2 || m.len() != 2 {
        return Err(bad());
    }
    let h: u8 = h.parse().map_err(|_| bad())?;
    let m: u8 = m.parse().map_err(|_| bad())?;
    TimeOfDay::new(h, m).ok_or_else(bad)
}

fn window(c: &Checker<'_>, w: &FileWindow, field: &str) -> Result<Window, ProfileError> {
    let from = time(c, &w.from, &format!("{field}.from"))?;
    let to = time(c, &w.to, &format!("{field}.to"))?;
    if to <= from {
        return Err(c.err(
            &w.to.span(),
            &format!("{field}.to"),
            "the closing time must come after the opening time",
        ));
    }
    let days: Vec<Weekday> = w.days.get_ref().iter().map(|d| d.weekday()).collect();
    if days.is_empty() {
        return Err(c.err(&w.days.span(), &format!("{field}.days"), "at least one day"));
    }
    let except = w
        .except
        .iter()
        .map(|r| range(c, r, &format!("{field}.except")))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Window {
        days: WeekdaySet::of(&days),
        from,
        to,
        except,
    })
}

fn opening(c: &Checker<'_>, o: Option<&FileOpening>) -> Result<Opening, ProfileError> {
    let Some(o) = o else {
        return Ok(Opening::Unrestricted);
    };
    let regular = o
        .hours
        .iter()
        .map(|w| window(c, w, "opening.hours"))
        .collect::<Result<Vec<_>, _>>()?;
    let mut seasons = Vec::with_capacity(o.seasons.len());
    for s in &o.seasons {
        let dates = range(
            c,
            &FileRange {
                first: s.first.clone(),
                last: s.last.clone(),
            },
            "opening.seasons",
        )?;
        if seasons
            .iter()
            .any(|x: &Season| x.dates.contains(dates.first) || dates.contains(x.dates.first))
        {
            return Err(c.err(
                &s.first.span(),
                "opening.seasons.first",
                "two seasons overlap",
            ));
        }
        seasons.push(Season {
            dates,
            admission: s.admission.admission(),
            hours: s
                .hours
                .iter()
                .map(|w| window(c, w, "opening.seasons.hours"))
                .collect::<Result<Vec<_>, _>>()?,
            except: s
                .except
                .iter()
                .map(|r| range(c, r, "opening.seasons.except"))
                .collect::<Result<Vec<_>, _>>()?,
        });
    }
    Ok(Opening::Hours {
        regular,
        admission: o.admission.admission(),
        seasons,
    })
}

fn build(c: &Checker<'_>, f: &File) -> Result<Profile, ProfileError> {
    if *f.format.get_ref() != FORMAT {
        return Err(c.err(
            &f.format.span(),
            "format",
            &format!("this crate reads profile format {FORMAT}"),
        ));
    }
    let name = f.name.get_ref();
    if name.is_empty()
        || !name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        return Err(c.err(
            &f.name.span(),
            "name",
            "a name of lower-case letters, digits and '-'",
        ));
    }
    let version = f.version.get_ref();
    if version.is_empty()
        || version
            .chars()
            .any(|ch| ch.is_whitespace() || ch.is_control())
    {
        return Err(c.err(
            &f.version.span(),
            "version",
            "a version without spaces, e.g. \"2026.1\"",
        ));
    }

    // R8: immediate at the counter.
    if !*f.service.immediate.get_ref() {
        return Err(c.rule(
            &f.service.immediate.span(),
            "service.immediate",
            RuleId::R8,
            "the reprint at the counter is immediate",
        ));
    }

    // R4-R6, I1: where second halves go is national.
    let to = f.second_halves.to.get_ref();
    let span = f.second_halves.to.span();
    for d in to {
        let broken = match d {
            SecondHalfDestination::Pec => {
                Some((RuleId::R5, "a second half is never sent to a PEC address"))
            }
            SecondHalfDestination::Paper => Some((
                RuleId::R6,
                "a second half is printed on paper only after the signed consent form is acquired: write \"paper-with-consent-form\"",
            )),
            SecondHalfDestination::Delegate => Some((
                RuleId::I1,
                "a third-party delegate never receives a second half",
            )),
            _ => None,
        };
        if let Some((rule, msg)) = broken {
            return Err(c.rule(&span, "second-halves.to", rule, msg));
        }
    }
    for (need, rule) in [
        (SecondHalfDestination::RegisteredEmail, RuleId::R4),
        (SecondHalfDestination::OtherEmail, RuleId::R4),
        (SecondHalfDestination::PaperWithConsentForm, RuleId::R6),
    ] {
        if !to.contains(&need) {
            return Err(c.rule(
                &span,
                "second-halves.to",
                rule,
                "the national destinations of a second half (registered e-mail, another e-mail, paper with the consent form) cannot be withdrawn",
            ));
        }
    }

    // M1, I1, R9: the delegate.
    let dl = &f.requesters.delegate;
    if *dl.second_halves.get_ref() != DelegateSecondHalves::HolderRegisteredEmail {
        return Err(c.rule(
            &dl.second_halves.span(),
            "requesters.delegate.second-halves",
            RuleId::I1,
            "a delegate never receives a second half: it goes only to the holder's registered e-mail",
        ));
    }
    let delegation = match dl.practice {
        Practice::NotAllowed => Delegation::NotAllowed,
        Practice::HolderCannotCome => Delegation::HolderCannotCome,
        Practice::FirstHalvesOnly => Delegation::FirstHalvesOnly,
    };
    if delegation != Delegation::NotAllowed
        && !dl.documents.get_ref().contains(&DocName::SignedDelegation)
    {
        return Err(c.rule(
            &dl.documents.span(),
            "requesters.delegate.documents",
            RuleId::R9,
            "a delegate acts for the holder only with the holder's signed delegation (\"signed-delegation\")",
        ));
    }

    // M4, R9: representatives.
    let lr = &f.requesters.legal_representative;
    if lr.allowed && !lr.documents.get_ref().contains(&DocName::ActOfAppointment) {
        return Err(c.rule(
            &lr.documents.span(),
            "requesters.legal-representative.documents",
            RuleId::R9,
            "a legal representative acts for the holder only with the act of appointment (\"act-of-appointment\")",
        ));
    }
    let pm = &f.requesters.parent_of_minor;

    // M6, R1.
    let requesters = Requesters {
        holder: Asker {
            identification: ids(
                c,
                &f.requesters.holder.identification,
                "requesters.holder.identification",
            )?,
            documents: docs(&f.requesters.holder.documents),
        },
        parent_of_minor: Asker {
            identification: ids(
                c,
                &pm.identification,
                "requesters.parent-of-minor.identification",
            )?,
            documents: docs(pm.documents.get_ref()),
        },
        legal_representative: Asker {
            identification: ids(
                c,
                &lr.identification,
                "requesters.legal-representative.identification",
            )?,
            documents: docs(lr.documents.get_ref()),
        },
        delegate: Asker {
            identification: ids(c, &dl.identification, "requesters.delegate.identification")?,
            documents: docs(dl.documents.get_ref()),
        },
    };

    // M2, R1.
    let ch = f.remote.channels.get_ref();
    if ch.contains(&RemoteChannel::Email) {
        return Err(c.rule(
            &f.remote.channels.span(),
            "remote.channels",
            RuleId::R1,
            "an ordinary e-mail does not identify the holder: remote requests come by PEC with a digitally signed form or from the INAD domicile",
        ));
    }
    let perm = |b: bool| {
        if b {
            Permission::Allowed
        } else {
            Permission::NotAllowed
        }
    };
    let remote = RemoteRequests {
        pec_signed_form: perm(ch.contains(&RemoteChannel::PecSignedForm)),
        inad_domicile: perm(ch.contains(&RemoteChannel::InadDomicile)),
    };

    // R7, M4: who changes the contacts.
    let by = f.contacts.changed_by.get_ref();
    let by_span = f.contacts.changed_by.span();
    if by.contains(&Who::Delegate) {
        return Err(c.rule(
            &by_span,
            "contacts.changed-by",
            RuleId::R7,
            "a third-party delegate never changes the contacts",
        ));
    }
    if !by.contains(&Who::Holder) {
        return Err(c.rule(
            &by_span,
            "contacts.changed-by",
            RuleId::R7,
            "the holder always changes their own contacts",
        ));
    }
    let contact_changes = match (
        by.contains(&Who::ParentOfMinor),
        by.contains(&Who::LegalRepresentative),
    ) {
        (false, false) => ContactChanges::HolderOnly,
        (true, true) => ContactChanges::HolderOrRepresentative,
        _ => {
            return Err(c.err(
                &by_span,
                "contacts.changed-by",
                "name both \"parent-of-minor\" and \"legal-representative\", or neither",
            ));
        }
    };

    Ok(Profile {
        id: ProfileId::of(name, f.version.get_ref(), c.text.as_bytes()),
        comune: Comune {
            name: f.comune.name.clone(),
            office: f.comune.office.clone(),
            address: f.comune.address.clone(),
            email: f.comune.email.clone(),
            phone: f.comune.phone.clone(),
            booking: f.comune.booking.clone(),
        },
        delegation,
        remote,
        home_visits: if f.home_visits.offered {
            HomeVisits::WithMedicalCertificate
        } else {
            HomeVisits::NotOffered
        },
        representatives: Representatives {
            parent_of_minor: perm(pm.allowed),
            legal_representative: perm(lr.allowed),
            contact_changes,
        },
        opening: opening(c, f.opening.as_ref())?,
        requesters,
        residency: match f.residency.served {
            Served::Anyone => Residency::Anyone,
            Served::ResidentsOnly => Residency::ResidentsOnly,
        },
        fee: if f.service.free {
            Fee::Free
        } else {
            Fee::NotStated
        },
    })
}

impl Profile {
    /// Loads a profile from the text of its file. The profile's [`ProfileId`] carries the
    /// file's name, version and the SHA-256 of `text`.
    ///
    /// ```
    /// use cie_pinpuk::policy::{Delegation, Profile, RuleId};
    /// let p = Profile::from_toml("format = 1\nname = \"x\"\nversion = \"1\"\n[requesters.delegate]\npractice = \"first-halves-only\"\n").unwrap();
    /// assert_eq!(p.delegation, Delegation::FirstHalvesOnly);
    ///
    /// let e = Profile::from_toml("format = 1\nname = \"x\"\nversion = \"1\"\n[second-halves]\nto = [\"pec\"]\n").unwrap_err();
    /// assert_eq!((e.line, e.field.as_str(), e.rule), (5, "second-halves.to", Some(RuleId::R5)));
    /// ```
    pub fn from_toml(text: &str) -> Result<Profile, ProfileError> {
        let file: File = toml::from_str(text).map_err(|e| from_toml_error(text, e))?;
        build(&Checker { text }, &file)
    }

    /// Loads a profile from a file.
    pub fn from_path(path: impl AsRef<std::path::Path>) -> Result<Profile, ProfileError> {
        let text = std::fs::read_to_string(path.as_ref()).map_err(|e| ProfileError {
            line: 0,
            field: String::new(),
            message: format!("cannot read {}: {e}", path.as_ref().display()),
            rule: None,
        })?;
        Profile::from_toml(&text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_at_finds_table_and_key() {
        let t = "a = 1\n[x.y]\nb = 2\n";
        assert_eq!(key_at(t, t.find("2").unwrap()), "x.y.b");
        assert_eq!(key_at(t, 0), "a");
        assert_eq!(line_of(t, t.find("2").unwrap()), 3);
    }
}

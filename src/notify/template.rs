//! The second-half e-mail and SMS as templates, per Comune and per language.
//!
//! The texts are the Fluent messages `second-half-subject`, `second-half-email` and
//! `second-half-sms` (bundled in Italian, English and German; an integrator overrides them,
//! or adds a language, with [`Texts::add_ftl`](crate::i18n::Texts::add_ftl)). Their arguments
//! are the Comune's name and contacts ([`Office`]), the code (`PIN` or `PUK`) and the half.
//!
//! The half never enters the Fluent machinery: the template is rendered with a placeholder,
//! which must occur exactly once in the body and never in the subject; only then is it
//! replaced by the four digits, in a buffer zeroized on drop. A template that would show
//! the half twice, or not at all, or in the subject, is refused with
//! [`NotifyError::Template`].

use alloc::string::String;

use zeroize::Zeroizing;

use super::{IdempotencyKey, Message, NotifyError, Recipient};
use crate::codes::{CodeKind, SecondHalf};
use crate::i18n::{Localizer, Message as Text};
use crate::policy::pec::{PecDirectory, is_pec};
use crate::policy::{EmailAddress, MobileNumber};

/// A character of Unicode's private use area that stands for the half while the template
/// is rendered.
const PLACEHOLDER: char = '\u{F8FF}';

const fn yes_no(b: bool) -> &'static str {
    if b { "yes" } else { "no" }
}

/// Renders `message` with its argument `arg` standing for `secret` (ASCII digits): the
/// text must show it exactly once; then the digits are put in, in a buffer zeroized on drop.
/// Shared by the second-half messages and the recovery service's completion code.
pub(crate) fn render_with_secret(
    texts: &Localizer,
    message: Text,
    arg: &'static str,
    secret: &[u8],
) -> Result<Zeroizing<String>, NotifyError> {
    let id = message.id();
    let template = texts
        .try_render(&message.with(arg, String::from(PLACEHOLDER)))
        .map_err(|_| NotifyError::Template(id))?;
    if template.matches(PLACEHOLDER).count() != 1 {
        return Err(NotifyError::Template(id));
    }
    let mut body = Zeroizing::new(String::with_capacity(template.len().saturating_add(8)));
    for c in template.chars() {
        if c == PLACEHOLDER {
            body.extend(secret.iter().map(|d| char::from(*d)));
        } else {
            body.push(c);
        }
    }
    Ok(body)
}

/// The Comune's office that hands out the codes, as the messages name it. An empty name
/// makes the texts say "the Comune"; an empty phone or e-mail leaves the contacts out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Office {
    /// The Comune's name, e.g. `Bolzano` (the texts say "Comune di Bolzano",
    /// "Gemeinde Bozen" is the German name the integrator gives to the German localizer).
    pub comune: String,
    /// The office, e.g. `Ufficio anagrafe`.
    pub office: String,
    /// The office's telephone number.
    pub phone: String,
    /// The office's e-mail address (never a PEC the citizen should write a code to: it is
    /// only a contact for questions).
    pub email: String,
}

impl Office {
    /// The office of a profile's `[comune]` table (its name, office, phone and e-mail).
    #[must_use]
    pub fn from_comune(comune: &crate::policy::Comune) -> Office {
        Office {
            comune: comune.name.clone(),
            office: comune.office.clone(),
            phone: comune.phone.clone(),
            email: comune.email.clone(),
        }
    }
}

/// Renders the second-half messages of one Comune in one language.
///
/// ```
/// # #[cfg(feature = "std")] {
/// use cie_pinpuk::codes::{CodeKind, SecondHalf};
/// use cie_pinpuk::i18n::Texts;
/// use cie_pinpuk::notify::{IdempotencyKey, Office, SecondHalfTemplate};
/// use cie_pinpuk::policy::{BuiltinPecList, MobileNumber};
///
/// let office = Office {
///     comune: "Bolzano".into(),
///     office: "Ufficio anagrafe".into(),
///     phone: "0471 997111".into(),
///     email: "anagrafe@comune.example.it".into(),
/// };
/// let it = Texts::bundled().localizer_for("it");
/// let half = SecondHalf::new(CodeKind::Pin, "5678")?;
/// let sms = SecondHalfTemplate::new(&it, &office).sms(
///     IdempotencyKey::from_stored("k1"),
///     MobileNumber::parse("+39 333 1234567").unwrap(),
///     &half,
/// )?;
/// assert!(sms.expose_body().starts_with("Comune di Bolzano: seconda metà del PIN CIE: 5678."));
/// # }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct SecondHalfTemplate<'a> {
    texts: &'a Localizer,
    office: &'a Office,
}

impl<'a> SecondHalfTemplate<'a> {
    /// The template of `office`, in the language of `texts`.
    #[must_use]
    pub fn new(texts: &'a Localizer, office: &'a Office) -> Self {
        SecondHalfTemplate { texts, office }
    }

    fn text(&self, id: &'static str, code: CodeKind, half: bool) -> Result<String, NotifyError> {
        let mut message = Text::new(id)
            .with("comune", self.office.comune.clone())
            .with("office", self.office.office.clone())
            .with("phone", self.office.phone.clone())
            .with("email", self.office.email.clone())
            // Without a name the texts say "the Comune"; without a phone and an e-mail they
            // leave the line of contacts out.
            .with("named", yes_no(!self.office.comune.trim().is_empty()))
            .with(
                "contacts",
                yes_no(
                    !self.office.phone.trim().is_empty() && !self.office.email.trim().is_empty(),
                ),
            )
            .with(
                "code",
                match code {
                    CodeKind::Pin => "PIN",
                    CodeKind::Puk => "PUK",
                },
            );
        if half {
            message = message.with("half", String::from(PLACEHOLDER));
        }
        self.texts
            .try_render(&message)
            .map_err(|_| NotifyError::Template(id))
    }

    /// The subject (no digit of the half) and the body with the half in it, once.
    fn render(
        &self,
        body_id: &'static str,
        half: &SecondHalf,
    ) -> Result<(String, Zeroizing<String>), NotifyError> {
        let subject = self.text("second-half-subject", half.kind(), false)?;
        let template = self.text(body_id, half.kind(), true)?;
        if subject.contains(PLACEHOLDER) || template.matches(PLACEHOLDER).count() != 1 {
            return Err(NotifyError::Template(body_id));
        }
        let mut body = Zeroizing::new(String::with_capacity(template.len()));
        for c in template.chars() {
            if c == PLACEHOLDER {
                body.extend(half.expose_ascii().iter().map(|d| char::from(*d)));
            } else {
                body.push(c);
            }
        }
        Ok((subject, body))
    }

    /// The e-mail carrying `half` to `to`. Refused for a PEC address, by the built-in list
    /// or by `directory`.
    ///
    /// # Errors
    /// [`NotifyError::PecDestination`] for a PEC address; [`NotifyError::Template`] if the
    /// template is missing or does not show the half exactly once.
    pub fn email(
        &self,
        key: IdempotencyKey,
        to: EmailAddress,
        half: &SecondHalf,
        directory: &dyn PecDirectory,
    ) -> Result<Message, NotifyError> {
        if is_pec(&to, directory) {
            return Err(NotifyError::PecDestination);
        }
        let (subject, body) = self.render("second-half-email", half)?;
        Ok(Message {
            key,
            to: Recipient::Email(to),
            subject,
            body,
        })
    }

    /// The SMS carrying `half` to `to`.
    ///
    /// # Errors
    /// [`NotifyError::Template`] if the template is missing or does not show the half
    /// exactly once.
    pub fn sms(
        &self,
        key: IdempotencyKey,
        to: MobileNumber,
        half: &SecondHalf,
    ) -> Result<Message, NotifyError> {
        let (subject, body) = self.render("second-half-sms", half)?;
        Ok(Message {
            key,
            to: Recipient::Sms(to),
            subject,
            body,
        })
    }
}

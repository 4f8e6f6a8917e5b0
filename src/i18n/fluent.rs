//! The Fluent side of the texts (feature `std`): the catalogue of resources per language
//! and the localizer that renders a [`Message`].

use alloc::string::{String, ToString};
use alloc::vec;
use alloc::vec::Vec;
use std::fs;
use std::path::Path;
use std::sync::Arc;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};

use super::{Arg, BUNDLED, FALLBACK_LANGUAGE, Localize, Medium, Message};

/// A language identifier (BCP 47: `it`, `de-IT`, `fr`, `sl`), re-exported from
/// `unic-langid` so that no other dependency is needed to name a language.
pub use unic_langid::LanguageIdentifier;

/// Why a resource could not be added or a message rendered.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TextError {
    /// The language tag is not a valid BCP 47 identifier.
    #[error("{0:?} is not a language identifier")]
    Language(String),
    /// The Fluent source has syntax errors (the first is shown).
    #[error("the Fluent resource has {count} syntax error(s), the first: {first}")]
    Syntax {
        /// How many errors.
        count: usize,
        /// The first error, as Fluent's parser describes it.
        first: String,
    },
    /// A file or directory of resources could not be read.
    #[error("cannot read {path}")]
    Io {
        /// The file or directory.
        path: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// No language of the chain, the fallback included, has this message.
    #[error("no text for the message {0:?}")]
    Missing(&'static str),
    /// The message was found but could not be rendered (an argument it uses is missing,
    /// or it refers to a message that does not exist).
    #[error("the text of {id:?} in {language} has errors: {first}")]
    Format {
        /// The message id.
        id: &'static str,
        /// The language whose text failed.
        language: String,
        /// The first error.
        first: String,
    },
}

/// The locale of a POSIX environment value (`it_IT.UTF-8`, `de_DE@euro`, `en`) as a
/// language identifier; `None` for `C`, `POSIX`, empty or malformed values.
///
/// ```
/// # #[cfg(feature = "std")] {
/// use cie_pinpuk::i18n::parse_locale;
/// assert_eq!(parse_locale("de_IT.UTF-8").unwrap().to_string(), "de-IT");
/// assert!(parse_locale("C").is_none());
/// # }
/// ```
#[must_use]
pub fn parse_locale(value: &str) -> Option<LanguageIdentifier> {
    let base = value.split(['.', '@']).next().unwrap_or_default();
    if base.is_empty() || base == "C" || base == "POSIX" {
        return None;
    }
    base.replace('_', "-").parse().ok()
}

#[derive(Debug, Clone)]
struct Language {
    id: LanguageIdentifier,
    resources: Vec<Arc<FluentResource>>,
}

/// The catalogue of texts: Fluent resources per language. Cheap to clone (resources are
/// shared); build it once, make a [`Localizer`] per language in use.
#[derive(Debug, Clone, Default)]
pub struct Texts {
    languages: Vec<Arc<Language>>,
}

impl Texts {
    /// The bundled Italian, English and German texts.
    #[must_use]
    pub fn bundled() -> Self {
        let mut texts = Texts::default();
        for (lang, source) in BUNDLED {
            // The bundled resources parse (a test checks it); were one not to, its language
            // would simply fall back to Italian.
            let _ = texts.add_ftl(lang, source);
        }
        texts
    }

    /// Adds the Fluent `source` to `language`: a new language, or an override of some
    /// messages of a bundled one (a message defined again replaces the earlier text).
    ///
    /// # Errors
    /// [`TextError::Language`] for a malformed tag, [`TextError::Syntax`] if the source
    /// does not parse; nothing is added then.
    pub fn add_ftl(&mut self, language: &str, source: &str) -> Result<(), TextError> {
        let id: LanguageIdentifier = language
            .parse()
            .map_err(|_| TextError::Language(language.into()))?;
        let resource =
            FluentResource::try_new(source.into()).map_err(|(_, errors)| TextError::Syntax {
                count: errors.len(),
                first: errors.first().map(|e| e.to_string()).unwrap_or_default(),
            })?;
        let resource = Arc::new(resource);
        match self.languages.iter_mut().find(|l| l.id == id) {
            Some(lang) => Arc::make_mut(lang).resources.push(resource),
            None => self.languages.push(Arc::new(Language {
                id,
                resources: vec![resource],
            })),
        }
        Ok(())
    }

    /// Adds every `LANG.ftl` file of `dir` (e.g. `fr.ftl`, `sl.ftl`, `de.ftl`) with
    /// [`Texts::add_ftl`]; other files are ignored. Returns the languages added.
    ///
    /// # Errors
    /// [`TextError::Io`] if the directory or a file cannot be read, or the error of
    /// [`Texts::add_ftl`] for a file (the files before it stay added).
    pub fn add_dir(&mut self, dir: &Path) -> Result<Vec<LanguageIdentifier>, TextError> {
        let io = |path: &Path, source| TextError::Io {
            path: path.display().to_string(),
            source,
        };
        let mut files: Vec<_> = fs::read_dir(dir)
            .map_err(|e| io(dir, e))?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "ftl"))
            .collect();
        files.sort();
        let mut added = Vec::new();
        for path in files {
            let Some(stem) = path.file_stem().and_then(|s| s.to_str()) else {
                continue;
            };
            let source = fs::read_to_string(&path).map_err(|e| io(&path, e))?;
            self.add_ftl(stem, &source)?;
            if let Ok(id) = stem.parse() {
                added.push(id);
            }
        }
        Ok(added)
    }

    /// The languages that have texts, in the order they were added.
    pub fn languages(&self) -> impl Iterator<Item = &LanguageIdentifier> {
        self.languages.iter().map(|l| &l.id)
    }

    /// A localizer for `language`: its own texts first (exact match, else the same language
    /// of any region, e.g. `de` for `de-IT`), then Italian.
    #[must_use]
    pub fn localizer(&self, language: &LanguageIdentifier) -> Localizer {
        let mut chain: Vec<&Arc<Language>> = Vec::new();
        let exact = |l: &Language| &l.id == language;
        let bare = |l: &Language| l.id.language == language.language && l.id.region.is_none();
        let same = |l: &Language| l.id.language == language.language;
        let fallback = |l: &Language| l.id.language.as_str() == FALLBACK_LANGUAGE;
        let tiers: [&dyn Fn(&Language) -> bool; 4] = [&exact, &bare, &same, &fallback];
        for tier in tiers {
            for l in &self.languages {
                if tier(l) && !chain.iter().any(|c| Arc::ptr_eq(c, l)) {
                    chain.push(l);
                }
            }
        }
        let bundles = chain
            .into_iter()
            .map(|l| {
                let mut bundle = FluentBundle::new_concurrent(vec![l.id.clone()]);
                bundle.set_use_isolating(false);
                for r in &l.resources {
                    bundle.add_resource_overriding(Arc::clone(r));
                }
                bundle
            })
            .collect();
        Localizer {
            language: language.clone(),
            bundles,
            medium: Medium::default(),
        }
    }

    /// A localizer for a tag or a POSIX locale (`de`, `de-IT`, `it_IT.UTF-8`); Italian for
    /// anything that is not a language identifier.
    #[must_use]
    pub fn localizer_for(&self, tag: &str) -> Localizer {
        let id = parse_locale(tag)
            .or_else(|| FALLBACK_LANGUAGE.parse().ok())
            .unwrap_or_default();
        self.localizer(&id)
    }
}

/// Renders messages in one language (with the fallback chain of [`Texts::localizer`]).
/// `Send + Sync`: one per language can serve a whole server.
pub struct Localizer {
    language: LanguageIdentifier,
    bundles: Vec<FluentBundle<Arc<FluentResource>>>,
    medium: Medium,
}

impl core::fmt::Debug for Localizer {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Localizer")
            .field("language", &self.language)
            .field("chain", &self.bundles.len())
            .field("medium", &self.medium)
            .finish()
    }
}

impl Localizer {
    /// The same localizer for cards linked by `medium`.
    #[must_use]
    pub fn with_medium(mut self, medium: Medium) -> Self {
        self.medium = medium;
        self
    }

    /// The requested language.
    #[must_use]
    pub fn language(&self) -> &LanguageIdentifier {
        &self.language
    }

    /// The medium the texts assume.
    #[must_use]
    pub fn medium(&self) -> Medium {
        self.medium
    }

    /// The text of `value`; if no language has it (an integrator's type whose ids are in no
    /// resource), the message id itself, so that something is always shown.
    #[must_use]
    pub fn text(&self, value: &(impl Localize + ?Sized)) -> String {
        self.render(&value.message())
    }

    /// The text of a message; the message id if no language has it.
    #[must_use]
    pub fn render(&self, message: &Message) -> String {
        self.try_render(message)
            .unwrap_or_else(|_| String::from(message.id()))
    }

    /// The text of `value`, or why there is none.
    ///
    /// # Errors
    /// [`TextError::Missing`] if no language of the chain has the message;
    /// [`TextError::Format`] if the first language that has it cannot render it.
    pub fn try_text(&self, value: &(impl Localize + ?Sized)) -> Result<String, TextError> {
        self.try_render(&value.message())
    }

    /// The text of a message, or why there is none (see [`Localizer::try_text`]).
    ///
    /// # Errors
    /// As [`Localizer::try_text`].
    pub fn try_render(&self, message: &Message) -> Result<String, TextError> {
        let mut args = FluentArgs::with_capacity(message.args().len().saturating_add(1));
        args.set("medium", self.medium.selector());
        for (name, value) in message.args() {
            match value {
                Arg::Text(s) => args.set(*name, FluentValue::from(s.as_ref())),
                Arg::Number(n) => args.set(*name, FluentValue::from(*n)),
            }
        }
        for bundle in &self.bundles {
            let Some(pattern) = bundle.get_message(message.id()).and_then(|m| m.value()) else {
                continue;
            };
            let mut errors = Vec::new();
            let text = bundle.format_pattern(pattern, Some(&args), &mut errors);
            if let Some(first) = errors.first() {
                return Err(TextError::Format {
                    id: message.id(),
                    language: bundle
                        .locales
                        .first()
                        .map(|l| l.to_string())
                        .unwrap_or_default(),
                    first: first.to_string(),
                });
            }
            return Ok(text.into_owned());
        }
        Err(TextError::Missing(message.id()))
    }

    /// Whether some language of the chain has a text for `id`.
    #[must_use]
    pub fn has(&self, id: &str) -> bool {
        self.bundles.iter().any(|b| b.has_message(id))
    }
}

//! The profile files shipped with the crate (directory `profiles/` of the package), embedded
//! at build time: the national baseline and three practices of real Comuni, each named after
//! its practice. A Comune whose practice is one of these may use it as it is, or copy the file
//! and edit it.

#[cfg(feature = "std")]
use super::file::ProfileError;
#[cfg(feature = "std")]
use super::profile::Profile;

/// A profile file shipped with the crate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Preset {
    /// `national.toml`: the national frame alone (no delegation, no remote requests, no home
    /// visits, any identity document, anyone served).
    National,
    /// `residents-with-delegation.toml`: residents only, the holder shows their own CIE; for a
    /// holder who cannot come, a delegate with the signed delegation collects the codes (first
    /// halves on paper, second halves to the registered e-mail); the service is stated free.
    ResidentsWithDelegation,
    /// `pec-inad-requests.toml`: requests also by PEC with a digitally signed form or from the
    /// INAD domicile; the holder alone changes the contacts; a delegate collects only the first
    /// halves, and only for a holder who can neither come nor sign digitally.
    PecInadRequests,
    /// `home-visits-appointment-season.toml`: no delegation, no requests by e-mail or PEC, own
    /// CIE shown, parents of minors and legal representatives may ask and change the contacts,
    /// home visits on a medical certificate, walk-in hours and a dated appointment-only season.
    HomeVisitsAppointmentSeason,
}

impl Preset {
    /// Every shipped profile.
    pub const ALL: [Preset; 4] = [
        Preset::National,
        Preset::ResidentsWithDelegation,
        Preset::PecInadRequests,
        Preset::HomeVisitsAppointmentSeason,
    ];

    /// The file name in `profiles/` (without `.toml`), which is also the profile's `name`.
    pub const fn name(self) -> &'static str {
        match self {
            Preset::National => "national",
            Preset::ResidentsWithDelegation => "residents-with-delegation",
            Preset::PecInadRequests => "pec-inad-requests",
            Preset::HomeVisitsAppointmentSeason => "home-visits-appointment-season",
        }
    }

    /// The shipped file's text.
    pub const fn text(self) -> &'static str {
        match self {
            Preset::National => include_str!("../../profiles/national.toml"),
            Preset::ResidentsWithDelegation => {
                include_str!("../../profiles/residents-with-delegation.toml")
            }
            Preset::PecInadRequests => include_str!("../../profiles/pec-inad-requests.toml"),
            Preset::HomeVisitsAppointmentSeason => {
                include_str!("../../profiles/home-visits-appointment-season.toml")
            }
        }
    }

    /// The shipped profile with this file name (`"national"`, `"pec-inad-requests"`, ...).
    pub fn from_name(name: &str) -> Option<Preset> {
        Preset::ALL.into_iter().find(|p| p.name() == name)
    }

    /// Loads the shipped file (feature `std`).
    #[cfg(feature = "std")]
    pub fn load(self) -> Result<Profile, ProfileError> {
        Profile::from_toml(self.text())
    }
}

#[cfg(feature = "std")]
impl Profile {
    /// The profile of a shipped file; see [`Preset::load`].
    ///
    /// ```
    /// use cie_pinpuk::policy::{Delegation, Preset, Profile};
    /// let p = Profile::preset(Preset::PecInadRequests).unwrap();
    /// assert_eq!(p.delegation, Delegation::FirstHalvesOnly);
    /// assert_eq!(p.id.name, "pec-inad-requests");
    /// ```
    pub fn preset(preset: Preset) -> Result<Profile, ProfileError> {
        preset.load()
    }
}

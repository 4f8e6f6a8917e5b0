//! Running a request: identify, evaluate, consent form, contacts, reprint on a signed
//! order, print job and outbox.

use alloc::string::{String, ToString};
use alloc::vec::Vec;

use super::{DeskError, PrintItem, PrintJob, ReprintDesk, RunReport, describe};
use crate::codes::Half;
use crate::i18n::parse_locale;
use crate::issuance::{CardNumber, CardState, IssuanceBackend, ReprintOrder, ReprintedHalf};
use crate::journal::EntryKind;
use crate::notify::{FailureKind, IdempotencyKey, Notifier, OutboxRecord, OutboxState};
use crate::policy::{self, Decision, DeliveryChannel, Destination, HalfSet, Need, Request, RuleId};

impl<B: IssuanceBackend, N: Notifier> ReprintDesk<B, N> {
    /// Evaluates `request` for `card` with what the issuance system knows (registered
    /// contacts, holder's age, consent form), without doing or journaling anything.
    pub fn preview(&self, card: &CardNumber, mut request: Request) -> Result<Decision, DeskError> {
        let record = self.backend.lookup(card)?;
        request.registered = record.contacts;
        request.holder_age = record.holder_age;
        request.consent = record.consent;
        Ok(policy::evaluate_with(
            &request,
            &self.profile,
            &*self.directory,
        ))
    }

    /// Runs `request` for `card` end to end, writing to the holder in the desk's language
    /// ([`ReprintDesk::with_language`], Italian by default). The fields `registered`,
    /// `holder_age` and `consent` of the request are taken from the issuance system, not
    /// from the caller.
    pub fn run(&mut self, card: &CardNumber, request: Request) -> Result<RunReport, DeskError> {
        let language = self.language().to_string();
        self.run_as(card, request, language)
    }

    /// [`ReprintDesk::run`], writing to the holder in `language` (a tag or a POSIX locale,
    /// e.g. `de` for a holder who asks in German; Italian if it is not a language tag). The
    /// second-half messages sent later by [`ReprintDesk::dispatch_pending`] keep it.
    pub fn run_in_language(
        &mut self,
        card: &CardNumber,
        request: Request,
        language: &str,
    ) -> Result<RunReport, DeskError> {
        let language = parse_locale(language)
            .unwrap_or_else(super::italian)
            .to_string();
        self.run_as(card, request, language)
    }

    fn run_as(
        &mut self,
        card: &CardNumber,
        mut request: Request,
        language: String,
    ) -> Result<RunReport, DeskError> {
        // The card as the Ministry knows it.
        let record = self.backend.lookup(card)?;
        if record.state != CardState::Valid {
            self.append(
                EntryKind::Decision,
                alloc::vec![RuleId::R1],
                card,
                "outcome=refused reason=card-not-usable",
                &[],
                None,
            )?;
            return Err(DeskError::CardNotUsable(record.state));
        }
        request.registered = record.contacts;
        request.holder_age = record.holder_age;
        request.consent = record.consent;

        // Evaluate, check the invariants once more, journal the decision (P-POL2).
        let decision = policy::evaluate_with(&request, &self.profile, &*self.directory);
        let broken =
            policy::audit::violations(&request, &self.profile, &decision, &*self.directory);
        if !broken.is_empty() {
            return Err(DeskError::InvariantBroken(broken));
        }
        let detail = describe::decision(&request, &decision);
        let decision_entry = self
            .append(
                EntryKind::Decision,
                decision.rules(),
                card,
                &detail,
                &[],
                None,
            )?
            .seq;
        let mut report = RunReport {
            decision,
            decision_entry,
            consent_form: None,
            contacts_updated: false,
            order_entry: None,
            print_job: None,
            sent: Vec::new(),
            pending: Vec::new(),
            failures: Vec::new(),
        };

        // Requirements: nothing is done; the paper consent form is generated if it is the
        // only thing missing (R6).
        if !report.decision.requirements.is_empty() {
            let only_consent = report
                .decision
                .requirements
                .iter()
                .all(|r| r.need == Need::PaperConsentForm);
            if only_consent {
                let form = self.backend.generate_consent_form(card)?;
                self.append(
                    EntryKind::ConsentFormGenerated,
                    alloc::vec![RuleId::R6, RuleId::I3],
                    card,
                    &alloc::format!("form={}", form.0),
                    &[],
                    None,
                )?;
                report.consent_form = Some(form);
            }
            return Ok(report);
        }

        // Contact changes (R7), before the reprint: a second half may go to the new e-mail.
        if !report.decision.contact_changes.is_empty() {
            let mut update = policy::Contacts::default();
            for c in &report.decision.contact_changes {
                match c {
                    policy::ContactChange::Email(e) => update.email = Some(e.clone()),
                    policy::ContactChange::Mobile(m) => update.mobile = Some(m.clone()),
                }
            }
            self.backend.update_contacts(card, &update)?;
            let what = match (&update.email, &update.mobile) {
                (Some(_), Some(_)) => "changed=email,mobile",
                (Some(_), None) => "changed=email",
                _ => "changed=mobile",
            };
            self.append(
                EntryKind::ContactsUpdated,
                alloc::vec![RuleId::R7, RuleId::I4],
                card,
                what,
                &[],
                None,
            )?;
            report.contacts_updated = true;
        }

        if report.decision.deliveries.is_empty() {
            return Ok(report);
        }
        self.reprint_and_release(card, &mut report, &language)?;
        Ok(report)
    }

    fn reprint_and_release(
        &mut self,
        card: &CardNumber,
        report: &mut RunReport,
        language: &str,
    ) -> Result<(), DeskError> {
        let deliveries = report.decision.deliveries.clone();
        let halves = HalfSet::of(
            &deliveries
                .iter()
                .map(|d| (d.code, d.half))
                .collect::<Vec<_>>(),
        );
        let paper_second = HalfSet::of(
            &deliveries
                .iter()
                .filter(|d| d.half == Half::Second && d.channel == DeliveryChannel::Paper)
                .map(|d| (d.code, d.half))
                .collect::<Vec<_>>(),
        );
        let order = ReprintOrder {
            card: card.clone(),
            halves,
            paper_second,
            issued_at: self.clock.now(),
            decision_seq: report.decision_entry,
        };
        let signed = order.sign(&*self.signer)?;

        // Reprint first: if the backend fails, nothing was released and nothing is pending.
        let reprinted = match self.backend.reprint(&signed) {
            Ok(r) => r,
            Err(e) => {
                self.append(
                    EntryKind::ReprintFailed,
                    alloc::vec![RuleId::R2],
                    card,
                    &alloc::format!("decision={}", report.decision_entry),
                    &[],
                    None,
                )?;
                return Err(e.into());
            }
        };

        // The order entry and its outbox records: one transaction. The keys name the order
        // entry's number, known under the store's append lock (many desks, one journal).
        let build = |order_seq: u64| -> Vec<OutboxRecord> {
            deliveries
                .iter()
                .filter_map(|d| match &d.destination {
                    Destination::Email(to) => Some(OutboxRecord {
                        key: IdempotencyKey::derive(card.as_str(), order_seq, d.code, d.half, to),
                        card: String::from(card.as_str()),
                        code: d.code,
                        half: d.half,
                        to: to.clone(),
                        state: OutboxState::Pending,
                        language: String::from(language),
                        failure: None,
                    }),
                    Destination::InPerson(_) => None,
                })
                .collect()
        };
        let mut rules = report.decision.rules();
        rules.retain(|r| matches!(r, RuleId::R3 | RuleId::R4 | RuleId::R6));
        rules.insert(0, RuleId::R1);
        rules.push(RuleId::I7);
        let detail = describe::order(&signed.order, &deliveries, &signed.signature);
        let entry = self.append_with(
            EntryKind::ReprintOrdered,
            rules,
            card,
            &detail,
            &build,
            None,
        )?;
        let outbox = build(entry.seq);
        report.order_entry = Some(entry.seq);

        // Split the reprinted halves: paper to the print job, second halves for the outbox.
        let mut items = Vec::new();
        let mut by_mail: Vec<ReprintedHalf> = Vec::new();
        for half in reprinted {
            let paper_to = deliveries.iter().find_map(|d| {
                match (
                    d.code == half.code() && d.half == half.half(),
                    &d.destination,
                ) {
                    (true, Destination::InPerson(r)) => Some(*r),
                    _ => None,
                }
            });
            match paper_to {
                Some(recipient) => items.push(PrintItem { recipient, half }),
                None => by_mail.push(half),
            }
        }
        if !items.is_empty() {
            let names: Vec<&str> = items
                .iter()
                .map(|i| describe::half_name(i.half.code(), i.half.half()))
                .collect();
            let detail = alloc::format!(
                "order={} printed={} to={}",
                entry.seq,
                names.join(","),
                items
                    .first()
                    .map_or("", |i| describe::requester(i.recipient))
            );
            self.append(
                EntryKind::PrintedOnPaper,
                alloc::vec![RuleId::R3],
                card,
                &detail,
                &[],
                None,
            )?;
            report.print_job = Some(PrintJob {
                card: card.clone(),
                order_entry: entry.seq,
                items,
            });
        }

        for record in outbox {
            let half = by_mail.iter().find_map(|h| match h {
                ReprintedHalf::Second(s) if s.kind() == record.code => Some(s),
                _ => None,
            });
            let Some(half) = half else {
                let failure = self.record_failure(&record, FailureKind::HalfUnavailable, "")?;
                report.pending.push(record.key.clone());
                report.failures.push((record.key.clone(), failure));
                continue;
            };
            match self.send_one(&record, half)? {
                None => report.sent.push(record.key.clone()),
                Some(failure) => {
                    report.pending.push(record.key.clone());
                    report.failures.push((record.key.clone(), failure));
                }
            }
        }
        Ok(())
    }
}

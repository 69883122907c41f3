//! The scenarios of issue 6, each measured beside its ceiling in the same run: rounds of the two
//! alternate (A B A B …) so that drift of a noisy machine falls on both alike.
use crate::load::{self, Request, Sample};
use crate::processes::Service;
use crate::report::{Line, Report};
use std::path::Path;
use std::time::Duration;

pub const LOCATIONS_QUERY: &str = include_str!("../server/contract/locations.graphql");
pub const EVSE_QUERY: &str = include_str!("../server/contract/evse.graphql");

/// The contract's locations query with another page size.
pub fn locations_query(limit: u32) -> String {
    LOCATIONS_QUERY.replace("limit: 10,", &format!("limit: {limit},"))
}

/// PostGraphile 4's spelling of the contract's locations query: same rows, same nesting, same
/// order (published locations by id; EVSEs by evse_id; connectors by connector_id; codes by id).
pub const POSTGRAPHILE_QUERY: &str = include_str!("peer/locations.graphql");

/// A 600-byte document whose fragments each spread the next twice: about a million fields once
/// expanded. The server must refuse it cheaply (400, "too complex") however many arrive.
pub fn hostile_document() -> String {
    let levels = 20;
    let mut doc = String::from("{ locations { ...F0 } }\n");
    for i in 0..levels {
        doc.push_str(&format!("fragment F{i} on Location {{ ...F{} ...F{} }}\n", i + 1, i + 1));
    }
    doc.push_str(&format!("fragment F{levels} on Location {{ name }}\n"));
    doc
}

pub struct Settings {
    pub seconds: u64,
    pub warmup: u64,
    pub rounds: usize,
    pub connections: usize,
    /// How long the memory soak runs at saturation.
    pub soak_seconds: u64,
}

/// Medians over rounds.
#[derive(Debug, Clone, Copy)]
pub struct Stats {
    pub rps: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
}

/// The `per_cent` percentile of `sorted` latencies in ms; infinite for none, so that a goal on
/// it fails rather than passes when nothing was measured.
pub fn percentile_ms(sorted: &[Duration], per_cent: usize) -> f64 {
    let index = (sorted.len() * per_cent / 100).min(sorted.len().saturating_sub(1));
    sorted.get(index).map_or(f64::INFINITY, |d| d.as_secs_f64() * 1000.0)
}

/// What a storm's CALLRESULT latencies came to.
pub struct Answers {
    pub per_second: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
}

impl Answers {
    pub fn of(mut latencies: Vec<Duration>, seconds: u64) -> Self {
        latencies.sort();
        Answers {
            per_second: latencies.len() as f64 / seconds.max(1) as f64,
            p50_ms: percentile_ms(&latencies, 50),
            p99_ms: percentile_ms(&latencies, 99),
        }
    }
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied().unwrap_or(0.0)
}

fn stats(samples: &[Sample]) -> Stats {
    Stats {
        rps: median(samples.iter().map(Sample::rps).collect()),
        p50_ms: median(samples.iter().map(|s| s.p50_us / 1000.0).collect()),
        p99_ms: median(samples.iter().map(|s| s.p99_us / 1000.0).collect()),
    }
}

/// One thing to load: a service and a request.
pub struct Subject<'a> {
    pub name: &'a str,
    pub service: &'a Service,
    pub request: Request,
}

pub struct Bench<'a> {
    pub settings: &'a Settings,
    pub work: &'a Path,
    pub report: &'a mut Report,
    pub backend: &'a str,
}

impl Bench<'_> {
    pub fn check(&mut self, name: &str, sample: &Sample) {
        if sample.failures > 0 {
            self.report.failures.push(format!(
                "{name} [{}]: {} of {} responses failed, first: {}",
                self.backend,
                sample.failures,
                sample.requests,
                sample.first_failure.as_deref().unwrap_or("(socket error or timeout)")
            ));
        }
    }

    fn run(&mut self, subject: &Subject, seconds: u64, connections: usize) -> anyhow::Result<Sample> {
        let sample = load::measure(&subject.service.base_url, &subject.request, connections, seconds, self.work)?;
        self.check(subject.name, &sample);
        Ok(sample)
    }

    /// One round of `subject` for `seconds` (while something else is going on).
    pub fn once(&mut self, subject: &Subject, seconds: u64) -> anyhow::Result<Stats> {
        let sample = self.run(subject, seconds, self.settings.connections)?;
        Ok(stats(&[sample]))
    }

    /// Warms each subject up, then measures them in alternating rounds; medians per subject.
    pub fn side_by_side(&mut self, subjects: &[Subject]) -> anyhow::Result<Vec<Stats>> {
        let (seconds, connections) = (self.settings.seconds, self.settings.connections);
        for subject in subjects {
            self.run(subject, self.settings.warmup, connections)?;
        }
        let mut samples: Vec<Vec<Sample>> = subjects.iter().map(|_| Vec::new()).collect();
        for _ in 0..self.settings.rounds {
            for (subject, into) in subjects.iter().zip(samples.iter_mut()) {
                into.push(self.run(subject, seconds, connections)?);
            }
        }
        Ok(samples.iter().map(|s| stats(s)).collect())
    }

    /// `subject` alone and `subject` while `background` runs flat out, in alternating rounds.
    pub fn alone_and_beside(
        &mut self,
        subject: &Subject,
        background: &Subject,
        background_connections: usize,
    ) -> anyhow::Result<(Stats, Stats, Stats)> {
        let (seconds, connections) = (self.settings.seconds, self.settings.connections);
        self.run(subject, self.settings.warmup, connections)?;
        let (mut alone, mut beside, mut behind) = (Vec::new(), Vec::new(), Vec::new());
        for _ in 0..self.settings.rounds {
            alone.push(self.run(subject, seconds, connections)?);
            let flood = load::start(
                &background.service.base_url,
                &background.request,
                background_connections,
                seconds + 2,
                self.work,
            )?;
            // Let the flood fill every hashing thread before measuring beside it.
            std::thread::sleep(Duration::from_millis(700));
            beside.push(self.run(subject, seconds, connections)?);
            let flooded = flood.finish()?;
            self.check(background.name, &flooded);
            behind.push(flooded);
        }
        Ok((stats(&alone), stats(&beside), stats(&behind)))
    }

    /// `subject`'s p99 while `background` runs flat out on `connections`, against its p99 alone, as
    /// a line whose goal is at most 1.5×; `meanwhile` names what the background did.
    pub fn p99_beside(
        &mut self,
        scenario: &str,
        subject: &Subject,
        background: &Subject,
        connections: usize,
        meanwhile: &str,
    ) -> anyhow::Result<()> {
        let (alone, beside, behind) = self.alone_and_beside(subject, background, connections)?;
        let ratio = beside.p99_ms / alone.p99_ms;
        let ceiling = format!("alone: p99 {:.2} ms ({meanwhile} meanwhile: {:.1}/s)", alone.p99_ms, behind.rps);
        self.line(scenario, beside, ceiling, Some(ratio), "p99 ≤ 1.5 × alone", Some(ratio <= 1.5));
        Ok(())
    }

    /// A line whose goal is requests/s of at least `minimum` × the ceiling's requests/s.
    pub fn share_of_ceiling(&mut self, scenario: &str, measured: Stats, ceiling: &str, ceiling_rps: f64, minimum: f64) {
        let ratio = measured.rps / ceiling_rps;
        let ceiling = format!("{ceiling}: {ceiling_rps:.1} req/s");
        let goal = format!("≥ {minimum:.2} × ceiling req/s");
        self.line(scenario, measured, ceiling, Some(ratio), &goal, Some(ratio >= minimum));
    }

    /// A line of a status storm's CALLRESULT latencies; the ratio column is the p99 in ms.
    pub fn storm_line(&mut self, scenario: String, answers: &Answers, ceiling: String, goal: &str, pass: Option<bool>) {
        self.report.line(Line {
            scenario,
            backend: self.backend.to_owned(),
            requests_per_second: Some(answers.per_second),
            p50_ms: Some(answers.p50_ms),
            p99_ms: Some(answers.p99_ms),
            ceiling,
            ratio: Some(answers.p99_ms),
            goal: format!("{goal} (ratio column: p99 ms)"),
            pass,
        });
    }

    pub fn line(
        &mut self,
        scenario: &str,
        measured: Stats,
        ceiling: String,
        ratio: Option<f64>,
        goal: &str,
        pass: Option<bool>,
    ) {
        self.report.line(Line {
            scenario: scenario.to_owned(),
            backend: self.backend.to_owned(),
            requests_per_second: Some(measured.rps),
            p50_ms: Some(measured.p50_ms),
            p99_ms: Some(measured.p99_ms),
            ceiling,
            ratio,
            goal: goal.to_owned(),
            pass,
        });
    }
}

//! `report.md` (the table the README quotes) and `report.json` (the same, for machines).
use serde::Serialize;
use std::fmt::Write;
use std::path::Path;

/// One measured line: a scenario on a backend, with its ceiling and goal where it has one.
#[derive(Debug, Clone, Serialize)]
pub struct Line {
    pub scenario: String,
    pub backend: String,
    pub requests_per_second: Option<f64>,
    pub p50_ms: Option<f64>,
    pub p99_ms: Option<f64>,
    /// What the ratio compares with, e.g. "passthrough: 1234 req/s".
    pub ceiling: String,
    pub ratio: Option<f64>,
    pub goal: String,
    pub pass: Option<bool>,
}

#[derive(Debug, Default, Serialize)]
pub struct Report {
    pub mode: String,
    pub scale: usize,
    pub machine: String,
    pub lines: Vec<Line>,
    /// Facts measured once or per backend: generation time, RSS, start-up, wasm size.
    pub facts: Vec<(String, String)>,
    /// Responses that were not a success with data; any makes the run fail.
    pub failures: Vec<String>,
    pub total_seconds: f64,
}

impl Line {
    /// The report's columns, for the table and for the progress lines alike.
    fn cells(&self) -> [String; 9] {
        let result = match self.pass {
            Some(true) => "pass",
            Some(false) => "**fail**",
            None => "",
        };
        [
            self.scenario.clone(),
            self.backend.clone(),
            number(self.requests_per_second, 0),
            number(self.p50_ms, 2),
            number(self.p99_ms, 2),
            self.ceiling.clone(),
            number(self.ratio, 2),
            self.goal.clone(),
            result.to_owned(),
        ]
    }
}

fn number(value: Option<f64>, decimals: usize) -> String {
    value.map_or_else(|| "–".to_owned(), |v| format!("{v:.decimals$}"))
}

impl Report {
    pub fn fact(&mut self, name: impl Into<String>, value: impl Into<String>) {
        let (name, value) = (name.into(), value.into());
        println!("  {name}: {value}");
        self.facts.push((name, value));
    }

    pub fn line(&mut self, line: Line) {
        println!("  {}", line.cells().join(" | "));
        self.lines.push(line);
    }

    pub fn markdown(&self) -> String {
        let mut md = String::new();
        let _ = writeln!(
            md,
            "Benchmark ({} run, {} locations; {}), {:.0} s in all.\n",
            self.mode, self.scale, self.machine, self.total_seconds
        );
        md.push_str("| scenario | backend | requests/s | p50 ms | p99 ms | ceiling | ratio | goal | result |\n");
        md.push_str("|---|---|---:|---:|---:|---|---:|---|---|\n");
        for line in &self.lines {
            let _ = writeln!(md, "| {} |", line.cells().join(" | "));
        }
        md.push_str("\n| measured | value |\n|---|---|\n");
        for (name, value) in &self.facts {
            let _ = writeln!(md, "| {name} | {value} |");
        }
        if !self.failures.is_empty() {
            md.push_str("\nFailed responses:\n\n");
            for failure in &self.failures {
                let _ = writeln!(md, "- {failure}");
            }
        }
        md
    }

    pub fn write(&self, dir: &Path) -> anyhow::Result<()> {
        std::fs::create_dir_all(dir)?;
        std::fs::write(dir.join("report.md"), self.markdown())?;
        std::fs::write(dir.join("report.json"), serde_json::to_string_pretty(self)?)?;
        Ok(())
    }
}

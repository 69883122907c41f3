//! The latest energy and power in a MeterValues message, read with OCPP 1.6's defaults: no
//! measurand means `Energy.Active.Import.Register`, no unit means Wh; kWh and kW are converted;
//! per-phase values are summed only when no overall value is given (one phase is never the
//! total); `SignedData` values are not numbers and are skipped.
use serde_json::Value;

const ENERGY: &str = "Energy.Active.Import.Register";
const POWER: &str = "Power.Active.Import";
/// Phases whose values add up to the total (the neutral and line-to-line ones do not).
const SUMMED_PHASES: &[&str] = &["L1", "L2", "L3", "L1-N", "L2-N", "L3-N"];

#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Latest {
    pub energy_wh: Option<f64>,
    pub power_w: Option<f64>,
    /// The time of the sample set the values come from (stored milliseconds).
    pub at: Option<i64>,
}

/// One measurand of one sample set: the overall value, and the sum of the phase values.
#[derive(Default)]
struct Total {
    overall: Option<f64>,
    phases: Option<f64>,
}

impl Total {
    fn add(&mut self, phase: Option<&str>, value: f64) {
        match phase {
            None => self.overall = Some(value),
            Some(p) if SUMMED_PHASES.contains(&p) => self.phases = Some(self.phases.unwrap_or(0.0) + value),
            Some(_) => {}
        }
    }

    fn value(&self) -> Option<f64> {
        self.overall.or(self.phases)
    }
}

/// Scale to Wh or W; `None` for a unit that is not energy or power.
fn scaled(unit: &str, value: f64) -> Option<f64> {
    match unit {
        "Wh" | "W" => Some(value),
        "kWh" | "kW" => Some(value * 1000.0),
        _ => None,
    }
}

fn sample_set(sampled: &[Value]) -> (Option<f64>, Option<f64>) {
    let (mut energy, mut power) = (Total::default(), Total::default());
    for sample in sampled {
        let field = |name: &str| sample.get(name).and_then(Value::as_str);
        if field("format") == Some("SignedData") {
            continue;
        }
        let measurand = field("measurand").unwrap_or(ENERGY);
        let unit = field("unit").unwrap_or(if measurand == POWER { "W" } else { "Wh" });
        let Some(value) = field("value").and_then(|v| v.trim().parse::<f64>().ok()).filter(|v| v.is_finite()) else {
            continue;
        };
        let Some(value) = scaled(unit, value) else { continue };
        match measurand {
            ENERGY => energy.add(field("phase"), value),
            POWER => power.add(field("phase"), value),
            _ => {}
        }
    }
    (energy.value(), power.value())
}

/// The newest sample set's energy and power; times later than `received_at` count as receipt.
pub fn latest(meter_values: &[Value], received_at: i64) -> Latest {
    let mut latest = Latest::default();
    for meter_value in meter_values {
        let at = meter_value
            .get("timestamp")
            .and_then(Value::as_str)
            .and_then(app::clock::parse_rfc3339)
            .map_or(received_at, |t| t.min(received_at));
        let sampled = meter_value.get("sampledValue").and_then(Value::as_array).map_or(&[][..], Vec::as_slice);
        let (energy, power) = sample_set(sampled);
        if (energy.is_some() || power.is_some()) && latest.at.is_none_or(|seen| at >= seen) {
            latest = Latest { energy_wh: energy.or(latest.energy_wh), power_w: power.or(latest.power_w), at: Some(at) };
        }
    }
    latest
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn one(sampled: Value) -> Latest {
        latest(&[json!({ "timestamp": "2026-01-01T10:00:00Z", "sampledValue": sampled })], i64::MAX)
    }

    #[test]
    fn a_bare_value_is_an_energy_register_in_wh() {
        let l = one(json!([{ "value": "1234" }]));
        assert_eq!((l.energy_wh, l.power_w), (Some(1234.0), None));
        assert_eq!(l.at, app::clock::parse_rfc3339("2026-01-01T10:00:00Z"));
    }

    #[test]
    fn kilo_units_are_converted_and_signed_data_skipped() {
        let l = one(json!([
            { "value": "12.5", "unit": "kWh" },
            { "value": "7.4", "measurand": "Power.Active.Import", "unit": "kW" },
            { "value": "AB12", "format": "SignedData" },
            { "value": "230", "measurand": "Voltage", "unit": "V" }
        ]));
        assert_eq!((l.energy_wh, l.power_w), (Some(12_500.0), Some(7_400.0)));
    }

    #[test]
    fn phases_are_summed_only_without_an_overall_value() {
        let phases = json!([
            { "value": "1000", "measurand": "Power.Active.Import", "unit": "W", "phase": "L1" },
            { "value": "1100", "measurand": "Power.Active.Import", "unit": "W", "phase": "L2" },
            { "value": "900", "measurand": "Power.Active.Import", "unit": "W", "phase": "L3" },
            { "value": "5", "measurand": "Power.Active.Import", "unit": "W", "phase": "N" }
        ]);
        assert_eq!(one(phases).power_w, Some(3000.0));
        let with_total = json!([
            { "value": "1000", "measurand": "Power.Active.Import", "phase": "L1" },
            { "value": "3100", "measurand": "Power.Active.Import" }
        ]);
        assert_eq!(one(with_total).power_w, Some(3100.0));
    }

    #[test]
    fn the_newest_sample_set_wins() {
        let l = latest(
            &[
                json!({ "timestamp": "2026-01-01T10:05:00Z", "sampledValue": [{ "value": "200" }] }),
                json!({ "timestamp": "2026-01-01T10:00:00Z", "sampledValue": [{ "value": "100" }] }),
            ],
            i64::MAX,
        );
        assert_eq!(l.energy_wh, Some(200.0));
    }
}

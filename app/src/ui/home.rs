//! The home page: what the platform is, and a charging-time estimator that works once hydrated.
use leptos::prelude::*;
use leptos_meta::{Meta, Title};

#[component]
pub fn HomePage() -> impl IntoView {
    view! {
        <Title text="Charging data for charge point operators" />
        <Meta name="description" content="Charge point operators publish their charging locations, EVSEs and connectors once and share them with navigation apps and roaming partners over OCPI 2.2.1." />
        <section class="hero">
            <h1>"Your charging network, open to every driver"</h1>
            <p>
                "EMSP lets charge point operators publish their locations, EVSEs and connectors once, "
                "with photos, and share them with navigation apps and roaming partners through REST "
                "and GraphQL APIs built on OCPI 2.2.1."
            </p>
            <p class="actions">
                <a class="button" href="/register">"Register your company"</a>
                <a class="button secondary" href="/sign-in">"Sign in"</a>
                <a class="button secondary" href="/browse">"Browse charging locations"</a>
            </p>
        </section>
        <ChargeEstimator />
    }
}

/// Minutes to charge `kwh` at `kw`, assuming the usual 90 % charging efficiency.
pub fn charge_minutes(kwh: f64, kw: f64) -> Option<u32> {
    if kwh.is_finite() && kw.is_finite() && kwh > 0.0 && kw > 0.0 {
        Some(((kwh / (kw * 0.9)) * 60.0).round().clamp(0.0, 100_000.0) as u32)
    } else {
        None
    }
}

#[component]
fn ChargeEstimator() -> impl IntoView {
    let (kwh, set_kwh) = signal(40.0_f64);
    let (kw, set_kw) = signal(22.0_f64);
    let hydrated = RwSignal::new(false);
    Effect::new(move || hydrated.set(true));
    let estimate = move || match charge_minutes(kwh.get(), kw.get()) {
        Some(minutes) => format!("About {} h {:02} min", minutes / 60, minutes % 60),
        None => "Enter an energy and a power above zero".to_owned(),
    };
    view! {
        <section class="panel estimator" aria-labelledby="estimator-title">
            <h2 id="estimator-title">"How long does a charge take?"</h2>
            <div class="field-row">
                <label>
                    "Energy to add (kWh)"
                    <input
                        type="number" name="kwh" min="1" step="1" prop:value=kwh
                        disabled=move || !hydrated.get()
                        on:input=move |ev| set_kwh.set(event_target_value(&ev).parse().unwrap_or(0.0))
                    />
                </label>
                <label>
                    "Charger power (kW)"
                    <input
                        type="number" name="kw" min="1" step="1" prop:value=kw
                        disabled=move || !hydrated.get()
                        on:input=move |ev| set_kw.set(event_target_value(&ev).parse().unwrap_or(0.0))
                    />
                </label>
            </div>
            <p class="estimate" role="status" data-testid="estimate">{estimate}</p>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::charge_minutes;

    #[test]
    fn estimates_include_losses_and_reject_nonsense() {
        assert_eq!(charge_minutes(45.0, 50.0), Some(60));
        assert_eq!(charge_minutes(40.0, 0.0), None);
        assert_eq!(charge_minutes(-1.0, 11.0), None);
        assert_eq!(charge_minutes(f64::NAN, 11.0), None);
    }
}

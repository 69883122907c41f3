//! The owner's chargers on its location page: add one (identity and EVSEs), its OCPP URL and
//! key (shown once), its state live, vendor, model, firmware, serial number, meter type, latest
//! readings, status history and recent sessions, and the Reset buttons with the charger's answer.
use super::forms::message;
use super::live::live_evse;
use crate::domain::views::{ChargeSession, ChargerRow, EvseDetails, Readings, StatusChange};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The WebSocket URL chargers connect to, without the identity (`wss://host/ocpp`).
#[derive(Debug, Clone)]
pub struct OcppEndpoint(pub String);

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvsePanel {
    pub uid: String,
    pub evse_id: String,
    pub status: String,
    pub readings: Readings,
    pub history: Vec<StatusChange>,
    pub sessions: Vec<ChargeSession>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChargerPanel {
    pub charger: ChargerRow,
    pub url: String,
    pub evses: Vec<EvsePanel>,
}

#[server(prefix = "/_sf", endpoint = "my_chargers")]
pub async fn my_chargers(location_id: i64) -> Result<Vec<ChargerPanel>, ServerFnError> {
    use super::api::server;
    let owner = server::owner_id().await?;
    let store = server::store()?;
    let endpoint = use_context::<OcppEndpoint>().map(|e| e.0).unwrap_or_default();
    let chargers =
        crate::services::chargers::chargers_of_location(&store, owner, location_id).await.map_err(server::refusal)?;
    let rows = store.evses_of_locations(&[location_id]).await.map_err(server::internal)?;
    let mut panels = Vec::new();
    for charger in chargers {
        let mut evses = Vec::new();
        for uid in &charger.evse_uids {
            let Some(row) = rows.iter().find(|e| &e.uid == uid) else { continue };
            evses.push(EvsePanel {
                uid: uid.clone(),
                evse_id: row.evse_id.clone(),
                status: row.status.clone(),
                readings: store.readings(uid).await.map_err(server::internal)?,
                history: store.status_history(uid, 20).await.map_err(server::internal)?,
                sessions: store.sessions_of_evse(uid, 10).await.map_err(server::internal)?,
            });
        }
        let url = format!("{endpoint}/{}", charger.charge_point_id);
        panels.push(ChargerPanel { charger, url, evses });
    }
    Ok(panels)
}

#[server(prefix = "/_sf", endpoint = "new_my_charger_key")]
pub async fn new_my_charger_key(charge_point_id: String) -> Result<String, ServerFnError> {
    use super::api::server;
    use crate::secret::ExposeSecret;
    let owner = server::owner_id().await?;
    let key = crate::services::chargers::new_key(&server::store()?, Some(owner), &charge_point_id)
        .await
        .map_err(server::refusal)?;
    Ok(key.expose_secret().to_owned())
}

#[server(prefix = "/_sf", endpoint = "reset_my_charger")]
pub async fn reset_my_charger(charge_point_id: String, kind: String) -> Result<String, ServerFnError> {
    use super::api::server;
    use crate::services::charger_commands::{self, ChargerControl};
    let owner = server::owner_id().await?;
    let control = use_context::<std::sync::Arc<dyn ChargerControl>>()
        .ok_or_else(|| ServerFnError::new("charger commands are not available"))?;
    charger_commands::reset(&server::store()?, control.as_ref(), owner, &charge_point_id, &kind)
        .await
        .map_err(server::refusal)
}

#[server(prefix = "/_sf", endpoint = "delete_my_charger")]
pub async fn delete_my_charger(charge_point_id: String) -> Result<(), ServerFnError> {
    use super::api::server;
    let owner = server::owner_id().await?;
    crate::services::chargers::delete_charger(&server::store()?, Some(owner), &charge_point_id)
        .await
        .map_err(server::refusal)
}

/// What the chargers panel reads and acts with, created at the page component's top level.
#[derive(Clone, Copy)]
pub struct ChargersState {
    pub list: Resource<Result<Vec<ChargerPanel>, ServerFnError>>,
    pub new_key: ServerAction<NewMyChargerKey>,
    pub reset: ServerAction<ResetMyCharger>,
    pub delete: ServerAction<DeleteMyCharger>,
}

impl ChargersState {
    pub fn new(location_id: impl Fn() -> i64 + Send + Sync + 'static, live: super::live::Live) -> Self {
        let new_key = ServerAction::<NewMyChargerKey>::new();
        let reset = ServerAction::<ResetMyCharger>::new();
        let delete = ServerAction::<DeleteMyCharger>::new();
        let list = Resource::new(
            move || (location_id(), live.version.get(), new_key.version().get(), delete.version().get()),
            |(id, ..)| my_chargers(id),
        );
        Self { list, new_key, reset, delete }
    }
}

/// `YYYY-MM-DD HH:MM:SS` (UTC) of stored milliseconds, the same on the server and in the
/// browser (the `time` crate is server-only), by the civil-from-days algorithm.
fn time(ms: i64) -> String {
    let (days, seconds) = (ms.div_euclid(86_400_000), ms.rem_euclid(86_400_000) / 1000);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02}", seconds / 3600, seconds % 3600 / 60, seconds % 60)
}

fn reading(value: Option<f64>, unit: &str, scale: f64) -> String {
    value.map_or_else(|| "–".to_owned(), |v| format!("{:.1} {unit}", v / scale))
}

fn evse_view(evse: EvsePanel) -> impl IntoView {
    let uid = evse.uid.clone();
    let readings = evse.readings.clone();
    let live_readings = move || {
        let live = live_evse(&uid);
        let energy = live.as_ref().and_then(|l| l.energy_wh).or(readings.energy_wh);
        let power = live.as_ref().and_then(|l| l.power_w).or(readings.power_w);
        format!("{} · {}", reading(energy, "kWh", 1000.0), reading(power, "kW", 1000.0))
    };
    view! {
        <li>
            <h4>{evse.evse_id.clone()} " " {super::browse::status_badge(evse.uid.clone(), evse.status.clone())}</h4>
            <p class="muted" data-testid="readings">"Meter: " {live_readings}</p>
            <details>
                <summary>{format!("Status history ({})", evse.history.len())}</summary>
                <table>
                    <thead><tr><th scope="col">"Received"</th><th scope="col">"OCPP status"</th><th scope="col">"Shown as"</th><th scope="col">"Error"</th><th scope="col">"Info"</th></tr></thead>
                    <tbody>
                        {evse.history.into_iter().map(|h| view! {
                            <tr><td>{time(h.received_at)}</td><td>{h.ocpp_status}</td><td>{h.status}</td>
                                <td>{h.error_code}{h.vendor_error_code.map(|v| format!(" ({v})"))}</td><td>{h.info}</td></tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </details>
            <details>
                <summary>{format!("Recent sessions ({})", evse.sessions.len())}</summary>
                <table>
                    <thead><tr><th scope="col">"Transaction"</th><th scope="col">"Id tag"</th><th scope="col">"Started"</th><th scope="col">"Stopped"</th><th scope="col">"kWh"</th><th scope="col">"Reason"</th></tr></thead>
                    <tbody>
                        {evse.sessions.into_iter().map(|s| view! {
                            <tr><td>{s.transaction_id}</td><td>{format!("{} ({})", s.id_tag, s.authorization)}</td><td>{time(s.started_at)}</td>
                                <td>{s.stopped_at.map(time)}</td><td>{s.energy_wh.map(|e| format!("{:.2}", e as f64 / 1000.0))}</td><td>{s.stop_reason}</td></tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </details>
        </li>
    }
}

fn charger_view(panel: ChargerPanel, state: ChargersState) -> impl IntoView {
    let c = panel.charger;
    let cp = c.charge_point_id.clone();
    let first_uid = c.evse_uids.first().cloned().unwrap_or_default();
    let (stored_connected, since) = (c.connected, c.connected_since);
    let connection = move || match live_evse(&first_uid).map_or(stored_connected, |l| l.connected) {
        true => since.map_or_else(|| "Connected".to_owned(), |s| format!("Connected since {} UTC", time(s))),
        false => "Offline".to_owned(),
    };
    let fact = |value: Option<String>| value.unwrap_or_else(|| "–".to_owned());
    let (cp_key, cp_soft, cp_hard, cp_delete) = (cp.clone(), cp.clone(), cp.clone(), cp.clone());
    view! {
        <li class="panel charger" data-testid="charger">
            <h3>{cp.clone()} " " <span class="badge" data-testid="connection">{connection}</span></h3>
            <p>"Connects to " <code>{panel.url}</code> " with HTTP Basic authentication (user " <code>{cp.clone()}</code>
                ", password: its key). " {if c.has_key { "A key is set." } else { "No key yet." }}</p>
            <dl class="facts">
                <dt>"Vendor / model"</dt><dd>{format!("{} / {}", fact(c.vendor), fact(c.model))}</dd>
                <dt>"Firmware"</dt><dd>{fact(c.firmware_version)}</dd>
                <dt>"Serial number"</dt><dd>{fact(c.serial_number)}</dd>
                <dt>"Meter type"</dt><dd>{fact(c.meter_type)}</dd>
                <dt>"Main meter"</dt><dd>{reading(c.main_meter_wh, "kWh", 1000.0)}</dd>
                <dt>"Last seen"</dt><dd>{c.last_seen.map_or_else(|| "never".to_owned(), |t| format!("{} UTC", time(t)))}</dd>
            </dl>
            <div class="actions">
                <ActionForm action=state.reset attr:class="inline">
                    <input type="hidden" name="charge_point_id" value=cp_soft />
                    <input type="hidden" name="kind" value="Soft" />
                    <button type="submit" class="secondary">"Reset (soft)"</button>
                </ActionForm>
                <ActionForm action=state.reset attr:class="inline">
                    <input type="hidden" name="charge_point_id" value=cp_hard />
                    <input type="hidden" name="kind" value="Hard" />
                    <button type="submit" class="secondary">"Reset (hard)"</button>
                </ActionForm>
                <ActionForm action=state.new_key attr:class="inline">
                    <input type="hidden" name="charge_point_id" value=cp_key />
                    <button type="submit" class="secondary">"New key"</button>
                </ActionForm>
                <ActionForm action=state.delete attr:class="inline">
                    <input type="hidden" name="charge_point_id" value=cp_delete />
                    <button type="submit" class="link">"Remove charger"</button>
                </ActionForm>
            </div>
            <ul class="manage">{panel.evses.into_iter().map(evse_view).collect_view()}</ul>
        </li>
    }
}

/// The chargers section of the owner's location page; `evses` are the location's EVSEs (those
/// without a charger can be given to a new one).
pub fn chargers_section(location_id: i64, evses: Vec<EvseDetails>, state: ChargersState) -> impl IntoView {
    let answer = move || {
        state.reset.value().get().map(|result| match result {
            Ok(status) => format!("The charger answered: {status}"),
            Err(e) => message(&e),
        })
    };
    let key = move || {
        state.new_key.value().get().map(|result| match result {
            Ok(key) => {
                view! { <p class="notice">"New key (shown only now): " <code data-testid="new-key">{key}</code></p> }
                    .into_any()
            }
            Err(e) => view! { <p class="form-error">{message(&e)}</p> }.into_any(),
        })
    };
    view! {
        <section class="panel" aria-labelledby="chargers-title">
            <h2 id="chargers-title">"Chargers (OCPP 1.6J)"</h2>
            <p class="notice" role="status" data-testid="charger-answer">{answer}</p>
            {key}
            <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || state.list.get().map(|result| match result {
                    Err(e) => view! { <p class="form-error">{message(&e)}</p> }.into_any(),
                    Ok(list) if list.is_empty() => view! { <p>"No charger yet: add one below to make its EVSEs live."</p> }.into_any(),
                    Ok(list) => view! { <ul class="chargers">{list.into_iter().map(|p| charger_view(p, state)).collect_view()}</ul> }.into_any(),
                })}
            </Transition>
            <h3>"Add a charger"</h3>
            <form method="post" action=format!("/portal/locations/{location_id}/chargers") class="stack">
                <label>"Charge point identity (1–48 characters: A–Z a–z 0–9 * - _ = + | @ .)"
                    <input name="charge_point_id" required=true maxlength="48" pattern="[A-Za-z0-9*_=+|@.\\-]{1,48}" /></label>
                <fieldset class="choices">
                    <legend>"Its EVSEs, in connector order (connector 1 first)"</legend>
                    {evses.into_iter().map(|e| view! {
                        <label class="check"><input type="checkbox" name="evse_uids" value=e.evse.uid.clone() />" " {e.evse.evse_id.clone()}</label>
                    }).collect_view()}
                </fieldset>
                <button type="submit">"Add charger"</button>
            </form>
        </section>
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn times_print_as_utc() {
        assert_eq!(super::time(1_719_814_489_123), "2024-07-01 06:14:49");
        assert_eq!(super::time(0), "1970-01-01 00:00:00");
        assert_eq!(super::time(951_782_400_000), "2000-02-29 00:00:00");
    }
}

//! Live EVSE values in the browser: the page opens the server's event stream
//! (`/portal/live`, server-sent events) and badges read the newest value of their EVSE from it,
//! falling back to what the page was rendered with. Nothing is reloaded, so a form being filled
//! in is never reset by a charger's news.
use leptos::prelude::*;
use std::collections::HashMap;

/// What the stream says of one EVSE.
#[derive(Debug, Clone, PartialEq)]
pub struct LiveEvse {
    pub status: String,
    pub connected: bool,
    pub energy_wh: Option<f64>,
    pub power_w: Option<f64>,
}

/// The newest values by EVSE uid, and a counter for lists that reload their summaries: it moves
/// at most once a second, however many events arrive.
#[derive(Clone, Copy)]
pub struct Live {
    pub evses: RwSignal<HashMap<String, LiveEvse>>,
    pub version: RwSignal<u64>,
    reload_pending: RwSignal<bool>,
}

/// `uid\tstatus\tconnected\tenergy\tpower`, as the server sends it.
fn parse(data: &str) -> Option<(String, LiveEvse)> {
    let mut fields = data.split('\t');
    let uid = fields.next()?.to_owned();
    let status = fields.next()?.to_owned();
    let connected = fields.next()? == "1";
    let number = |f: Option<&str>| f.and_then(|v| v.parse::<f64>().ok());
    let (energy_wh, power_w) = (number(fields.next()), number(fields.next()));
    Some((uid, LiveEvse { status, connected, energy_wh, power_w }))
}

/// Starts following the stream (in the browser; on the server this only provides the context)
/// for one location, or for every EVSE the visitor may see.
pub fn provide_live(location_id: Option<i64>) -> Live {
    let live =
        Live { evses: RwSignal::new(HashMap::new()), version: RwSignal::new(0), reload_pending: RwSignal::new(false) };
    provide_context(live);
    Effect::new(move |_| {
        use leptos::wasm_bindgen::closure::Closure;
        use leptos::wasm_bindgen::JsCast;
        let url = match location_id {
            Some(id) => format!("/portal/live?location_id={id}"),
            None => "/portal/live".to_owned(),
        };
        let Ok(source) = leptos::web_sys::EventSource::new(&url) else { return };
        let on_event =
            Closure::<dyn FnMut(leptos::web_sys::MessageEvent)>::new(move |event: leptos::web_sys::MessageEvent| {
                if let Some((uid, value)) = event.data().as_string().as_deref().and_then(parse) {
                    live.evses.update(|map| {
                        map.insert(uid, value);
                    });
                    if !live.reload_pending.get_untracked() {
                        live.reload_pending.set(true);
                        set_timeout(
                            move || {
                                live.reload_pending.set(false);
                                live.version.update(|v| *v += 1);
                            },
                            std::time::Duration::from_secs(1),
                        );
                    }
                }
            });
        let _ = source.add_event_listener_with_callback("evse", on_event.as_ref().unchecked_ref());
        // The listener lives as long as the page: the source is closed when the page goes.
        on_event.forget();
        let source = send_wrapper::SendWrapper::new(source);
        on_cleanup(move || source.close());
    });
    live
}

/// The newest value of `uid`, if the stream has told of it.
pub fn live_evse(uid: &str) -> Option<LiveEvse> {
    use_context::<Live>().and_then(|live| live.evses.with(|map| map.get(uid).cloned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_parse_with_and_without_readings() {
        let (uid, value) = parse("u-1\tCHARGING\t1\t5500\t7400").expect("parsed");
        assert_eq!(uid, "u-1");
        assert_eq!(
            value,
            LiveEvse { status: "CHARGING".into(), connected: true, energy_wh: Some(5500.0), power_w: Some(7400.0) }
        );
        let (_, offline) = parse("u-2\tUNKNOWN\t0\t\t").expect("parsed");
        assert!(!offline.connected && offline.energy_wh.is_none());
        assert!(parse("garbage").is_none());
    }
}

//! The public browser: published locations and their EVSEs, no sign-in needed. The search lives
//! in the URL (`/browse?q=…&city=…&country=…&standard=…&status=…&page=…`), so it can be shared.
use super::forms::message;
use crate::domain::codes::{self, CONNECTOR_STANDARDS, STATUSES};
use crate::domain::views::{LocationDetails, LocationSummary};
use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::hooks::{use_params_map, use_query_map};
use serde::{Deserialize, Serialize};

pub const PAGE_SIZE: i64 = 20;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Search {
    pub q: String,
    pub city: String,
    pub country: String,
    pub standard: String,
    pub status: String,
    pub sort: String,
    pub page: i64,
}

/// `(key, label)` of the browser's sort orders.
const SORTS: &[(&str, &str)] =
    &[("name", "Name A–Z"), ("-name", "Name Z–A"), ("modified", "Recently updated"), ("", "Oldest first")];

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BrowseResult {
    pub items: Vec<LocationSummary>,
    pub has_next: bool,
}

#[cfg(feature = "ssr")]
fn non_empty(value: &str) -> Option<String> {
    let value = value.trim();
    (!value.is_empty()).then(|| value.to_owned())
}

#[server(prefix = "/_sf", endpoint = "browse_locations")]
pub async fn browse_locations(search: Search) -> Result<BrowseResult, ServerFnError> {
    use crate::store::{LocationFilter, LocationSort, Viewer};
    let filter = LocationFilter {
        sort: LocationSort::parse(&search.sort),
        name: non_empty(&search.q),
        city: non_empty(&search.city),
        country_code: non_empty(&search.country),
        standard: non_empty(&search.standard).filter(|s| codes::is_known(CONNECTOR_STANDARDS, s)),
        status: non_empty(&search.status).filter(|s| codes::is_known(STATUSES, s)),
        ..LocationFilter::default()
    };
    let page = search.page.max(1);
    let store = super::api::server::store()?;
    // One extra row tells whether a next page exists.
    let mut items = store
        .location_summaries(Viewer::Public, &filter, PAGE_SIZE + 1, (page - 1) * PAGE_SIZE)
        .await
        .map_err(super::api::server::internal)?;
    let has_next = items.len() as i64 > PAGE_SIZE;
    items.truncate(PAGE_SIZE as usize);
    Ok(BrowseResult { items, has_next })
}

#[server(prefix = "/_sf", endpoint = "public_location")]
pub async fn public_location(id: i64) -> Result<Option<LocationDetails>, ServerFnError> {
    use crate::store::Viewer;
    let store = super::api::server::store()?;
    store.location_details(Viewer::Public, id).await.map_err(super::api::server::internal)
}

fn search_from_query(get: impl Fn(&str) -> Option<String>) -> Search {
    Search {
        q: get("q").unwrap_or_default(),
        city: get("city").unwrap_or_default(),
        country: get("country").unwrap_or_default(),
        standard: get("standard").unwrap_or_default(),
        status: get("status").unwrap_or_default(),
        sort: get("sort").unwrap_or_else(|| "name".to_owned()),
        page: get("page").and_then(|p| p.parse().ok()).unwrap_or(1),
    }
}

fn page_link(search: &Search, page: i64) -> String {
    let pairs = [
        ("q", &search.q),
        ("city", &search.city),
        ("country", &search.country),
        ("standard", &search.standard),
        ("status", &search.status),
    ];
    let mut url = String::from("/browse?");
    for (key, value) in pairs {
        if !value.is_empty() {
            url.push_str(&format!("{key}={}&", urlencoding(value)));
        }
    }
    url.push_str(&format!("page={page}"));
    url
}

/// Percent-encodes a query value (RFC 3986 unreserved characters pass).
fn urlencoding(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn options(list: &'static [codes::Code], selected: String) -> impl IntoView {
    list.iter()
        .map(|(code, description)| {
            let is_selected = selected == *code;
            view! { <option value=*code selected=is_selected>{*description}</option> }
        })
        .collect_view()
}

#[component]
pub fn BrowsePage() -> impl IntoView {
    let query = use_query_map();
    let search = Memo::new(move |_| search_from_query(|key| query.get().get(key)));
    let live = super::live::provide_live(None);
    let results = Resource::new(move || (search.get(), live.version.get()), |(search, _)| browse_locations(search));
    view! {
        <Title text="Find a charging location" />
        <Meta name="description" content="Search published EV charging locations by name, city, country, connector and status." />
        <h1>"Find a charging location"</h1>
        <form method="get" action="/browse" class="panel filters" role="search">
            <label>"Location name" <input type="search" name="q" value=move || search.get().q placeholder="e.g. Fira" /></label>
            <label>"City" <input name="city" value=move || search.get().city /></label>
            <label>"Country code" <input name="country" maxlength="2" value=move || search.get().country placeholder="NL" /></label>
            <label>"Connector"
                <select name="standard">
                    <option value="">"Any connector"</option>
                    {move || options(CONNECTOR_STANDARDS, search.get().standard)}
                </select>
            </label>
            <label>"Status"
                <select name="status">
                    <option value="">"Any status"</option>
                    {move || options(STATUSES, search.get().status)}
                </select>
            </label>
            <label>"Sort by"
                <select name="sort">
                    {move || {
                        let current = search.get().sort;
                        SORTS.iter().map(|(key, label)| view! { <option value=*key selected=current == *key>{*label}</option> }).collect_view()
                    }}
                </select>
            </label>
            <button type="submit">"Search"</button>
        </form>
        <Transition fallback=|| view! { <p class="loading">"Searching…"</p> }>
            {move || results.get().map(|result| match result {
                Err(e) => view! { <super::ServerError message=message(&e) /> }.into_any(),
                Ok(found) if found.items.is_empty() => view! { <p class="panel">"No published location matches this search."</p> }.into_any(),
                Ok(found) => {
                    let current = search.get();
                    let page = current.page.max(1);
                    let previous = (page > 1).then(|| page_link(&current, page - 1));
                    let next = found.has_next.then(|| page_link(&current, page + 1));
                    view! {
                        <ul class="cards" data-testid="results">
                            {found.items.into_iter().map(summary_card).collect_view()}
                        </ul>
                        <nav class="pager" aria-label="Pages">
                            {previous.map(|href| view! { <a href=href rel="prev">"← Previous"</a> })}
                            <span>"Page " {page}</span>
                            {next.map(|href| view! { <a href=href rel="next">"Next →"</a> })}
                        </nav>
                    }.into_any()
                }
            })}
        </Transition>
    }
}

fn summary_card(summary: LocationSummary) -> impl IntoView {
    let location = summary.location;
    let href = format!("/browse/{}", location.id);
    view! {
        <li class="card">
            {summary.thumbnail.map(|src| view! { <img src=src alt="" class="thumb" /> })}
            <div>
                <h2><a href=href>{location.name}</a></h2>
                <p class="muted">{format!("{}, {} {}", location.address, location.city, location.country_code)}</p>
                <p>
                    {availability_badge(summary.available, summary.known, summary.evse_count)}
                    {summary.standards.into_iter().map(|s| view! { <span class="badge">{codes::describe(CONNECTOR_STANDARDS, &s).unwrap_or("Other")}</span> }).collect_view()}
                </p>
            </div>
        </li>
    }
}

/// How many EVSEs of a location are available: green only when some are; a warning style for
/// none; "status unknown" when no EVSE reports a status.
pub fn availability_badge(available: usize, known: usize, total: usize) -> impl IntoView {
    let (class, text) = match (available, known) {
        (_, 0) => ("badge status-unknown", "Status unknown".to_owned()),
        (0, _) => ("badge none-available", format!("0 of {total} available")),
        (n, _) => ("badge available", format!("{n} of {total} available")),
    };
    view! { <span class=class data-testid="availability">{text}</span> }
}

/// An EVSE status as a coloured badge with its words (colour is never the only signal); it
/// follows the page's live stream when there is one.
pub fn status_badge(uid: String, status: String) -> impl IntoView {
    let current = move || super::live::live_evse(&uid).map_or_else(|| status.clone(), |live| live.status);
    let class = {
        let current = current.clone();
        move || format!("badge status-{}", current().to_lowercase())
    };
    let label = move || codes::describe(STATUSES, &current()).unwrap_or("Unknown").to_owned();
    view! { <span class=class data-testid="evse-status">{label}</span> }
}

/// The location's details, shared by the public page and the owner's page.
pub fn details_view(details: LocationDetails) -> impl IntoView {
    let location = details.location;
    let describe = |codes: Vec<crate::domain::views::CodeRow>| {
        codes.into_iter().map(|c| c.description).collect::<Vec<_>>().join(", ")
    };
    let facilities = describe(details.facilities);
    let parking = describe(details.parking_types.into_iter().chain(details.parking_restrictions).collect());
    let operator = details.operator.map(|operator| {
        let alt = format!("{} logo", operator.name);
        view! {
            <p class="operator" data-testid="operator">
                {operator.logo_thumbnail_url.map(|src| view! { <img class="logo small" src=src alt=alt /> })}
                "Operated by " <strong>{operator.name}</strong>
            </p>
        }
    });
    let photo_count = details.photos.len();
    view! {
        {operator}
        <p class="muted">
            {format!("{}, {} {}, {}", location.address, location.postal_code.clone().unwrap_or_default(), location.city, location.country_code)}
        </p>
        <div class="gallery">
            {details.photos.into_iter().enumerate().map(|(i, (full, thumb))| view! {
                <a href=full target="_blank" rel="noopener" title="Open the full photo">
                    <img src=thumb alt=format!("Photo {} of {photo_count} of the location (opens the full image)", i + 1) />
                </a>
            }).collect_view()}
        </div>
        <dl class="facts">
            <dt>"Facilities"</dt><dd>{if facilities.is_empty() { "None listed".to_owned() } else { facilities }}</dd>
            <dt>"Parking"</dt><dd>{if parking.is_empty() { "Not specified".to_owned() } else { parking }}</dd>
        </dl>
        <h2>"EVSEs"</h2>
        <ul class="evses">
            {details.evses.into_iter().map(|e| view! {
                <li class="panel">
                    <h3>{e.evse.evse_id.clone()} " " {status_badge(e.evse.uid.clone(), e.evse.status.clone())}</h3>
                    <table>
                        <thead><tr><th scope="col">"Connector"</th><th scope="col">"Standard"</th><th scope="col">"Format"</th><th scope="col">"Power type"</th><th scope="col">"kW"</th></tr></thead>
                        <tbody>
                            {e.connectors.into_iter().map(|c| {
                                let kw = c.max_electric_power.unwrap_or(c.max_voltage * c.max_amperage) as f64 / 1000.0;
                                view! {
                                    <tr>
                                        <td>{c.connector_id}</td>
                                        <td>{codes::describe(CONNECTOR_STANDARDS, &c.standard).unwrap_or("Other")}</td>
                                        <td>{codes::describe(codes::CONNECTOR_FORMATS, &c.format).unwrap_or("Other")}</td>
                                        <td>{codes::describe(codes::POWER_TYPES, &c.power_type).unwrap_or("Other")}</td>
                                        <td>{format!("{kw:.1}")}</td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                </li>
            }).collect_view()}
        </ul>
    }
}

/// One sentence for link previews: where it is, who runs it, how many EVSEs.
fn describe_location(details: &LocationDetails) -> String {
    let l = &details.location;
    let operator = details.operator.as_ref().map(|o| format!(" by {}", o.name)).unwrap_or_default();
    format!(
        "{}: EV charging in {}, {} ({}), {} EVSEs{operator}.",
        l.name,
        l.address,
        l.city,
        l.country_code,
        details.evses.len()
    )
}

#[component]
pub fn PublicLocationPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.get().get("id").and_then(|id| id.parse::<i64>().ok()).unwrap_or(-1);
    let details = Resource::new(id, public_location);
    super::live::provide_live(params.get_untracked().get("id").and_then(|id| id.parse::<i64>().ok()));
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || details.get().map(|result| match result {
                Ok(Some(details)) => view! {
                    <Title text=details.location.name.clone() />
                    <Meta name="description" content=describe_location(&details) />
                    <p><a href="/browse">"← Back to the search"</a></p>
                    <h1>{details.location.name.clone()}</h1>
                    {details_view(details)}
                }.into_any(),
                Ok(None) => view! { <super::NotFound /> }.into_any(),
                Err(e) => view! { <super::ServerError message=message(&e) /> }.into_any(),
            })}
        </Suspense>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_links_keep_the_search_and_encode_it() {
        let search =
            Search { q: "Fira & co".into(), country: "GR".into(), sort: String::new(), page: 1, ..Search::default() };
        assert_eq!(page_link(&search, 2), "/browse?q=Fira%20%26%20co&country=GR&page=2");
    }
}

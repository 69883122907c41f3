//! "My locations": a CPO owner's locations, created and edited with plain HTML forms (they work
//! without JavaScript) posted to `/portal/...` handlers that share the API's services.
use super::api::Me;
use super::browse::details_view;
use super::dashboard::OwnerOnly;
use super::forms::message;
use crate::domain::codes::{self, Code};
use crate::domain::views::{LocationDetails, LocationSummary};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

#[server(prefix = "/_sf", endpoint = "my_locations")]
pub async fn my_locations() -> Result<Vec<LocationSummary>, ServerFnError> {
    use crate::store::{LocationFilter, Viewer};
    let owner = super::api::server::owner_id().await?;
    let filter = LocationFilter { owner_id: Some(owner), ..LocationFilter::default() };
    super::api::server::store()?
        .location_summaries(Viewer::Owner(owner), &filter, 500, 0)
        .await
        .map_err(super::api::server::internal)
}

#[server(prefix = "/_sf", endpoint = "my_location")]
pub async fn my_location(id: i64) -> Result<Option<LocationDetails>, ServerFnError> {
    use crate::store::Viewer;
    let owner = super::api::server::owner_id().await?;
    let details = super::api::server::store()?
        .location_details(Viewer::Owner(owner), id)
        .await
        .map_err(super::api::server::internal)?;
    Ok(details.filter(|d| d.location.cpo_owner_id == owner))
}

#[server(prefix = "/_sf", endpoint = "set_published")]
pub async fn set_published(id: i64, publish: bool) -> Result<(), ServerFnError> {
    let owner = super::api::server::owner_id().await?;
    super::api::server::store()?.set_publish(owner, id, publish).await.map_err(super::api::server_fns_error)?;
    // Without JavaScript the form post lands here: back to the page it came from.
    leptos_axum::redirect(&format!("/locations/{id}"));
    Ok(())
}

#[server(prefix = "/_sf", endpoint = "delete_my_location")]
pub async fn delete_my_location(id: i64) -> Result<(), ServerFnError> {
    let owner = super::api::server::owner_id().await?;
    let store = super::api::server::store()?;
    let files = store.delete_location(owner, id).await.map_err(super::api::server_fns_error)?;
    if let Some(uploads) = use_context::<crate::uploads::UploadDir>() {
        let images: Vec<_> = files
            .into_iter()
            .map(|file| crate::uploads::StoredImage { thumbnail: crate::uploads::thumbnail_name(&file), file })
            .collect();
        uploads.remove(&images).await;
    }
    leptos_axum::redirect("/locations");
    Ok(())
}

#[server(prefix = "/_sf", endpoint = "delete_my_photo")]
pub async fn delete_my_photo(location_id: i64, url: String) -> Result<(), ServerFnError> {
    let owner = super::api::server::owner_id().await?;
    let file = url.strip_prefix("/uploads/").unwrap_or(&url).to_owned();
    let file =
        super::api::server::store()?.delete_location_photo(owner, &file).await.map_err(super::api::server_fns_error)?;
    if let Some(uploads) = use_context::<crate::uploads::UploadDir>() {
        uploads.remove(&[crate::uploads::StoredImage { thumbnail: crate::uploads::thumbnail_name(&file), file }]).await;
    }
    leptos_axum::redirect(&format!("/locations/{location_id}"));
    Ok(())
}

#[server(prefix = "/_sf", endpoint = "set_evse_status")]
pub async fn set_evse_status(location_id: i64, uid: String, status: String) -> Result<(), ServerFnError> {
    if !codes::is_known(codes::STATUSES, &status) {
        return Err(ServerFnError::new("status: unknown code"));
    }
    let owner = super::api::server::owner_id().await?;
    super::api::server::store()?.set_evse_status(owner, &uid, &status).await.map_err(super::api::server_fns_error)?;
    leptos_axum::redirect(&format!("/locations/{location_id}"));
    Ok(())
}

#[server(prefix = "/_sf", endpoint = "delete_my_evse")]
pub async fn delete_my_evse(location_id: i64, uid: String) -> Result<(), ServerFnError> {
    let owner = super::api::server::owner_id().await?;
    super::api::server::store()?.delete_evse(owner, &uid).await.map_err(super::api::server_fns_error)?;
    leptos_axum::redirect(&format!("/locations/{location_id}"));
    Ok(())
}

/// Checkboxes for a reference list, labelled by description.
fn code_choices(legend: &'static str, name: &'static str, list: &'static [Code], chosen: Vec<String>) -> impl IntoView {
    view! {
        <fieldset class="choices">
            <legend>{legend}</legend>
            {list.iter().map(|(code, description)| {
                let checked = chosen.iter().any(|c| c == code);
                view! { <label class="check"><input type="checkbox" name=name value=*code checked=checked />" " {*description}</label> }
            }).collect_view()}
        </fieldset>
    }
}

fn code_select(label: &'static str, name: &'static str, list: &'static [Code]) -> impl IntoView {
    view! {
        <label>{label}
            <select name=name required=true>
                {list.iter().map(|(code, description)| view! { <option value=*code>{*description}</option> }).collect_view()}
            </select>
        </label>
    }
}

/// The location form, empty for a new location or filled with `current` to edit it.
fn location_form(action: String, submit: &'static str, current: Option<&LocationDetails>) -> impl IntoView {
    let l = current.map(|d| d.location.clone());
    let text = |f: fn(&crate::domain::views::LocationRow) -> String| l.as_ref().map(f).unwrap_or_default();
    let chosen = |pick: fn(&LocationDetails) -> &Vec<crate::domain::views::CodeRow>| {
        current.map(|d| pick(d).iter().map(|c| c.code.clone()).collect()).unwrap_or_default()
    };
    view! {
        <form method="post" action=action class="stack">
            <div class="field-row">
                <label>"Name" <input name="name" required=true maxlength="200" value=text(|l| l.name.clone()) /></label>
                <label>"Address" <input name="address" required=true maxlength="200" value=text(|l| l.address.clone()) /></label>
            </div>
            <div class="field-row">
                <label>"City" <input name="city" required=true maxlength="200" value=text(|l| l.city.clone()) /></label>
                <label>"Region" <input name="region" maxlength="200" value=text(|l| l.region.clone().unwrap_or_default()) /></label>
                <label>"Postal code" <input name="postal_code" maxlength="200" value=text(|l| l.postal_code.clone().unwrap_or_default()) /></label>
                <label>"Country code" <input name="country_code" required=true maxlength="2" placeholder="NL" value=text(|l| l.country_code.clone()) /></label>
            </div>
            <div class="field-row">
                <label>"Latitude" <input name="address_lat" type="number" step="any" min="-90" max="90" required=true value=text(|l| l.address_lat.to_string()) /></label>
                <label>"Longitude" <input name="address_lng" type="number" step="any" min="-180" max="180" required=true value=text(|l| l.address_lng.to_string()) /></label>
            </div>
            {code_choices("Facilities", "facilities", codes::FACILITIES, chosen(|d| &d.facilities))}
            {code_choices("Parking types", "parking_types", codes::PARKING_TYPES, chosen(|d| &d.parking_types))}
            {code_choices("Parking restrictions", "parking_restrictions", codes::PARKING_RESTRICTIONS, chosen(|d| &d.parking_restrictions))}
            <label class="check"><input type="checkbox" name="publish" value="on" checked=l.as_ref().is_some_and(|l| l.publish) />" Published (visible to everyone)"</label>
            <button type="submit">{submit}</button>
        </form>
    }
}

fn query_messages() -> (Signal<Option<String>>, Signal<Option<String>>) {
    let query = use_query_map();
    (Signal::derive(move || query.get().get("error")), Signal::derive(move || query.get().get("done")))
}

#[component]
pub fn MyLocationsPage() -> impl IntoView {
    view! { <OwnerOnly page=my_locations_page /> }
}

fn my_locations_page(_me: Me) -> AnyView {
    let list = Resource::new(|| (), |_| my_locations());
    let (error, done) = query_messages();
    view! {
        <Title text="My locations" />
        <h1>"My locations"</h1>
        <p class="notice" role="status">{done}</p>
        <p class="form-error" role="alert">{error}</p>
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || list.get().map(|result| match result {
                Err(e) => view! { <p class="form-error">{message(&e)}</p> }.into_any(),
                Ok(items) if items.is_empty() => view! { <p class="panel">"No locations yet: add your first one below."</p> }.into_any(),
                Ok(items) => view! {
                    <ul class="cards" data-testid="my-locations">
                        {items.into_iter().map(|s| {
                            let l = s.location;
                            view! {
                                <li class="card">
                                    <div>
                                        <h2><a href=format!("/locations/{}", l.id)>{l.name.clone()}</a></h2>
                                        <p class="muted">{format!("{}, {}", l.city, l.country_code)} " · " {format!("{} EVSEs", s.evse_count)}</p>
                                        <span class=if l.publish { "badge available" } else { "badge" }>{if l.publish { "Published" } else { "Draft" }}</span>
                                    </div>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any(),
            })}
        </Suspense>
        <section class="panel" aria-labelledby="new-location">
            <h2 id="new-location">"Add a location"</h2>
            {location_form("/portal/locations".to_owned(), "Add location", None)}
        </section>
    }
    .into_any()
}

#[component]
pub fn EditLocationPage() -> impl IntoView {
    view! { <OwnerOnly page=edit_location_page /> }
}

fn edit_location_page(_me: Me) -> AnyView {
    let params = use_params_map();
    let id = move || params.get().get("id").and_then(|id| id.parse::<i64>().ok()).unwrap_or(-1);
    let (error, done) = query_messages();
    let publish = ServerAction::<SetPublished>::new();
    let delete = ServerAction::<DeleteMyLocation>::new();
    let delete_photo = ServerAction::<DeleteMyPhoto>::new();
    let evse_status = ServerAction::<SetEvseStatus>::new();
    let delete_evse = ServerAction::<DeleteMyEvse>::new();
    // Reload after each change made on this page.
    let details = Resource::new(
        move || {
            (
                id(),
                publish.version().get(),
                delete_photo.version().get(),
                evse_status.version().get(),
                delete_evse.version().get(),
            )
        },
        |(id, ..)| my_location(id),
    );
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || details.get().map(|result| match result {
                Err(e) => view! { <p class="form-error" role="alert">{message(&e)}</p> }.into_any(),
                Ok(None) => view! { <super::NotFound /> }.into_any(),
                Ok(Some(d)) => {
                    let l = d.location.clone();
                    let photo_count = d.photos.len();
                    let photos = d.photos.clone();
                    let edit_form = location_form(format!("/portal/locations/{}", l.id), "Save changes", Some(&d));
                    let evses: Vec<_> = d.evses.iter().map(|e| (e.evse.uid.clone(), e.evse.evse_id.clone(), e.evse.status.clone())).collect();
                    view! {
                        <Title text=l.name.clone() />
                        <p><a href="/locations">"← My locations"</a></p>
                        <h1>{l.name.clone()} " " {if l.publish { view! { <span class="badge available">"Published"</span> } } else { view! { <span class="badge">"Draft"</span> } }}</h1>
                        <p class="notice" role="status">{done}</p>
                        <p class="form-error" role="alert" data-testid="page-error">{error}</p>
                        <div class="actions">
                            <ActionForm action=publish attr:class="inline">
                                <input type="hidden" name="id" value=l.id />
                                <input type="hidden" name="publish" value=(!l.publish).to_string() />
                                <button type="submit">{if l.publish { "Unpublish" } else { "Publish" }}</button>
                            </ActionForm>
                            <ActionForm action=delete attr:class="inline" on:submit=|ev| {
                                let confirmed = window().confirm_with_message("Delete this location with all its EVSEs and photos?").unwrap_or(false);
                                if !confirmed { ev.prevent_default(); }
                            }>
                                <input type="hidden" name="id" value=l.id />
                                <button type="submit" class="danger">"Delete location"</button>
                            </ActionForm>
                        </div>
                        {details_view(d)}
                        <section class="panel" aria-labelledby="photos-title">
                            <h2 id="photos-title">{format!("Photos ({photo_count} of 5)")}</h2>
                            <ul class="gallery editable">
                                {photos.into_iter().map(|(full, thumb)| view! {
                                    <li>
                                        <img src=thumb alt="Photo of the location" />
                                        <ActionForm action=delete_photo attr:class="inline">
                                            <input type="hidden" name="location_id" value=l.id />
                                            <input type="hidden" name="url" value=full />
                                            <button type="submit" class="link">"Delete photo"</button>
                                        </ActionForm>
                                    </li>
                                }).collect_view()}
                            </ul>
                            <form method="post" action=format!("/portal/locations/{}/photos", l.id) enctype="multipart/form-data" class="stack">
                                <label>"Add photos (PNG, JPEG or WebP, up to 5 per location)"
                                    <input type="file" name="location_photos" multiple=true accept="image/png,image/jpeg,image/webp" required=true />
                                </label>
                                <button type="submit">"Upload photos"</button>
                            </form>
                        </section>
                        <section class="panel" aria-labelledby="manage-evses">
                            <h2 id="manage-evses">"Manage EVSEs"</h2>
                            <ul class="manage">
                                {evses.into_iter().map(|(uid, evse_id, status)| { let uid_for_delete = uid.clone(); let delete_label = format!("Delete {evse_id}"); view! {
                                    <li>
                                        <strong>{evse_id.clone()}</strong>
                                        <ActionForm action=evse_status attr:class="inline">
                                            <input type="hidden" name="location_id" value=l.id />
                                            <input type="hidden" name="uid" value=uid />
                                            <label class="inline-label">"Status "
                                                <select name="status">
                                                    {codes::STATUSES.iter().map(|(code, description)| view! {
                                                        <option value=*code selected=status == *code>{*description}</option>
                                                    }).collect_view()}
                                                </select>
                                            </label>
                                            <button type="submit" class="secondary">"Save status"</button>
                                        </ActionForm>
                                        <ActionForm action=delete_evse attr:class="inline">
                                            <input type="hidden" name="location_id" value=l.id />
                                            <input type="hidden" name="uid" value=uid_for_delete />
                                            <button type="submit" class="link">{delete_label}</button>
                                        </ActionForm>
                                    </li>
                                }}).collect_view()}
                            </ul>
                        </section>
                        <section class="panel" aria-labelledby="edit-title">
                            <h2 id="edit-title">"Edit details"</h2>
                            {edit_form}
                        </section>
                        <section class="panel" aria-labelledby="evse-title">
                            <h2 id="evse-title">"Add an EVSE"</h2>
                            <form method="post" action=format!("/portal/locations/{}/evses", l.id) class="stack">
                                <div class="field-row">
                                    <label>"EVSE ID" <input name="evse_id" required=true placeholder="NL*ABC*E12345" /></label>
                                    {code_select("Status", "status", codes::STATUSES)}
                                    <label>"Serial number" <input name="serial_number" /></label>
                                </div>
                                {code_choices("Capabilities", "capabilities", codes::CAPABILITIES, Vec::new())}
                                {code_choices("Payment types", "payment_types", codes::PAYMENT_TYPES, Vec::new())}
                                {(1..=2).map(|n| view! {
                                    <fieldset class="connector">
                                        <legend>{format!("Connector {n}")}{if n > 1 { " (optional)" } else { "" }}</legend>
                                        <div class="field-row">
                                            {code_select("Standard", "standard", codes::CONNECTOR_STANDARDS)}
                                            {code_select("Format", "format", codes::CONNECTOR_FORMATS)}
                                            {code_select("Power type", "power_type", codes::POWER_TYPES)}
                                            <label>"Max voltage (V)" <input name="max_voltage" type="number" min="1" required=n == 1 /></label>
                                            <label>"Max amperage (A)" <input name="max_amperage" type="number" min="1" required=n == 1 /></label>
                                        </div>
                                    </fieldset>
                                }).collect_view()}
                                <button type="submit">"Add EVSE"</button>
                            </form>
                        </section>
                    }.into_any()
                }
            })}
        </Suspense>
    }
    .into_any()
}

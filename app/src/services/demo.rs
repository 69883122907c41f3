//! A realistic demo set so a newcomer sees a populated portal: three CPO owners, 48 locations in
//! ten cities and eight countries, 1–6 EVSEs each with 1–3 connectors.
//! Everything goes through the same write path as the portal and GraphQL, rules included.
use super::locations;
use crate::auth::password;
use crate::domain::codes;
use crate::domain::inputs::{NewConnector, NewEvse, NewLocation, Registration, Rules};
use crate::error::ServiceError;
use crate::secret::{self, ExposeSecret};
use crate::store::{Store, StoreError};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

pub struct DemoSummary {
    pub locations: usize,
    pub evses: usize,
    pub connectors: usize,
    /// `(username, password)` of each demo CPO owner, printed once by the CLI.
    pub credentials: Vec<(String, String)>,
    /// `(charge point id, key, EVSE count)` of the demo chargers, for the simulator.
    pub chargers: Vec<(String, String, usize)>,
}

/// Published demo locations that get a charger (for `make demo`'s simulated chargers).
const DEMO_CHARGERS: usize = 4;

const OWNERS: &[(&str, &str, &str)] = &[
    ("solarius", "Solarius", "Maria Santos"),
    ("voltway", "Voltway Charging", "Jan de Vries"),
    ("greenplug", "GreenPlug", "Anna Schmidt"),
];

/// (city, region, country, latitude, longitude, place names)
type City = (&'static str, &'static str, &'static str, f64, f64, &'static [&'static str]);

const CITIES: &[City] = &[
    (
        "San Francisco",
        "California",
        "US",
        37.7749,
        -122.4194,
        &["Fisherman's Wharf", "Mission Bay Hub", "Union Square Garage", "Presidio Gate"],
    ),
    ("Fira", "South Aegean", "GR", 36.4167, 25.4318, &["Fira Plaza", "Caldera View Parking", "Old Port Station"]),
    (
        "Amsterdam",
        "North Holland",
        "NL",
        52.3676,
        4.9041,
        &["Centraal Station P+R", "Zuidas Office Park", "Westergas Court", "Amstel Riverside"],
    ),
    (
        "Rotterdam",
        "South Holland",
        "NL",
        51.9244,
        4.4777,
        &["Markthal Garage", "Erasmus Bridge Lot", "Kralingen Forest Entrance"],
    ),
    (
        "Berlin",
        "Berlin",
        "DE",
        52.5200,
        13.4050,
        &[
            "Alexanderplatz Tiefgarage",
            "Tempelhof Field North",
            "Kreuzberg Hof",
            "Mitte Charging Court",
            "Spree Arcade",
        ],
    ),
    ("Munich", "Bavaria", "DE", 48.1351, 11.5820, &["Olympiapark West", "Viktualienmarkt Garage", "Isar Meadows"]),
    (
        "Milan",
        "Lombardy",
        "IT",
        45.4642,
        9.1900,
        &["Fiera Milano City", "Navigli Canal Park", "Porta Nuova Tower", "Duomo Underground"],
    ),
    (
        "London",
        "Greater London",
        "GB",
        51.5074,
        -0.1278,
        &["Finsbury Park Garage", "Canary Wharf Level -2", "King's Cross Yard", "Southbank Arches", "Hyde Park Corner"],
    ),
    (
        "Manila",
        "Metro Manila",
        "PH",
        14.5995,
        120.9842,
        &["Filinvest City Hub", "Bonifacio High Street", "Makati Ayala Triangle", "Rizal Park Lot"],
    ),
    (
        "Oslo",
        "Oslo",
        "NO",
        59.9139,
        10.7522,
        &[
            "Aker Brygge Parkering",
            "Bjørvika Terminal",
            "Frogner Plass",
            "Holmenkollen Lot",
            "Grünerløkka Gate",
            "Fornebu Park",
            "Tjuvholmen Hub",
            "Vulkan Energy Garage",
        ],
    ),
];

const STANDARDS: &[(&str, &str, &str, i64, i64)] = &[
    ("IEC_62196_T2", "SOCKET", "AC_3_PHASE", 230, 32),
    ("IEC_62196_T2_COMBO", "CABLE", "DC", 920, 200),
    ("CHADEMO", "CABLE", "DC", 500, 125),
    ("DOMESTIC_F", "SOCKET", "AC_1_PHASE", 230, 16),
    ("IEC_62196_T1", "CABLE", "AC_1_PHASE", 240, 32),
];

fn pick<'a, T>(rng: &mut StdRng, items: &'a [T]) -> &'a T {
    &items[rng.gen_range(0..items.len())]
}

fn some_codes(rng: &mut StdRng, list: &[codes::Code], max: usize) -> Vec<String> {
    let mut chosen: Vec<String> = (0..rng.gen_range(0..=max)).map(|_| pick(rng, list).0.to_owned()).collect();
    chosen.sort();
    chosen.dedup();
    chosen
}

/// Loads the demo set once; a second run answers `Conflict`.
pub async fn load(store: &Store) -> Result<DemoSummary, ServiceError> {
    let mut rng = StdRng::seed_from_u64(2_2_1);
    let mut summary =
        DemoSummary { locations: 0, evses: 0, connectors: 0, credentials: Vec::new(), chargers: Vec::new() };
    let mut owner_ids = Vec::new();
    for (username, name, contact) in OWNERS {
        let reg = Registration {
            username: (*username).into(),
            cpo_owner_name: (*name).into(),
            contact_name: (*contact).into(),
            contact_number: format!("+31 20 555 {:04}", rng.gen_range(0..10_000)),
            contact_email: format!("{username}@example.com"),
            ocpp_ready: true,
            logo: None,
        };
        let reg = reg.validated().map_err(ServiceError::Invalid)?;
        let (owner_id, _) = store.create_cpo_owner(&reg, None, None).await.map_err(|e| match e {
            StoreError::Conflict(_) => ServiceError::Conflict("demo data (it was loaded before)".into()),
            other => other.into(),
        })?;
        let password = secret::generate("demo-").expose_secret().to_owned();
        let hash = password::hash(password.clone()).await.map_err(ServiceError::internal)?;
        store.set_password_hash(username, &hash).await?;
        summary.credentials.push(((*username).into(), password));
        owner_ids.push(owner_id);
    }
    for (city_index, (city, region, country, lat, lng, places)) in CITIES.iter().enumerate() {
        for (place_index, place) in places.iter().enumerate() {
            let owner_id = owner_ids[(city_index + place_index) % owner_ids.len()];
            let location = NewLocation {
                name: (*place).into(),
                address: format!(
                    "{} {}",
                    pick(&mut rng, &["Harbour Road", "Station Square", "Market Street", "Park Avenue"]),
                    rng.gen_range(1..200)
                ),
                address_lat: lat + rng.gen_range(-0.05..0.05),
                address_lng: lng + rng.gen_range(-0.05..0.05),
                city: (*city).into(),
                region: Some((*region).into()),
                postal_code: Some(format!("{:05}", rng.gen_range(1000..99_999))),
                country_code: (*country).into(),
                // About one in five stays a draft, visible only to its owner.
                publish: rng.gen_range(0..5) != 0,
                facilities: some_codes(&mut rng, codes::FACILITIES, 4),
                parking_restrictions: some_codes(&mut rng, codes::PARKING_RESTRICTIONS, 2),
                parking_types: some_codes(&mut rng, codes::PARKING_TYPES, 1),
                time_zone: None,
            };
            let published = location.publish;
            let location_id = locations::create_location(store, owner_id, location).await?;
            summary.locations += 1;
            let mut uids = Vec::new();
            for evse_index in 0..rng.gen_range(1..=6) {
                let evse = NewEvse {
                    evse_id: format!("{country}*DEM*E{location_id:04}{evse_index}"),
                    status: pick(
                        &mut rng,
                        &[
                            "AVAILABLE",
                            "AVAILABLE",
                            "AVAILABLE",
                            "CHARGING",
                            "CHARGING",
                            "OUTOFORDER",
                            "RESERVED",
                            "INOPERATIVE",
                            "PLANNED",
                        ],
                    )
                    .to_string(),
                    capabilities: some_codes(&mut rng, codes::CAPABILITIES, 4),
                    payment_types: some_codes(&mut rng, codes::PAYMENT_TYPES, 3),
                };
                let status = evse.status.clone();
                let uid = locations::create_evse(store, owner_id, location_id, evse, Vec::new()).await?;
                uids.push(uid.clone());
                summary.evses += 1;
                for connector_index in 1..=rng.gen_range(1..=3) {
                    let (standard, format, power_type, volts, amps) = *pick(&mut rng, STANDARDS);
                    let connector = NewConnector {
                        connector_id: connector_index.to_string(),
                        standard: standard.into(),
                        format: format.into(),
                        power_type: power_type.into(),
                        max_voltage: volts,
                        max_amperage: amps,
                        max_electric_power: Some(volts * amps * if power_type == "AC_3_PHASE" { 3 } else { 1 }),
                        connector_type: Some(if power_type == "DC" { "DC fast" } else { "AC" }.into()),
                        rate_setting: Some(pick(&mut rng, &["STANDARD", "PEAK", "OFF_PEAK"]).to_string()),
                        status: status.clone(),
                    };
                    locations::create_connector(store, owner_id, &uid, connector).await?;
                    summary.connectors += 1;
                }
            }
            if published && summary.chargers.len() < DEMO_CHARGERS {
                let charge_point_id = format!("DEMO-{location_id}");
                uids.truncate(2);
                super::chargers::create_charger(store, owner_id, location_id, &charge_point_id, &uids).await?;
                let key = super::chargers::new_key(store, Some(owner_id), &charge_point_id).await?;
                summary.chargers.push((charge_point_id, key.expose_secret().to_owned(), uids.len()));
            }
        }
    }
    Ok(summary)
}

// A small GraphQL explorer served by the server itself: no CDN, works offline and under a strict CSP.
const EXAMPLES = {
  locations: `query Locations {
  locations(limit: 10, offset: 0) {
    id cpo_owner_id name address address_lat address_lng city region postal_code country_code
    images publish date_created date_modified
    evses {
      uid evse_id serial_number meter_type status cpo_location_id current_ws_connection_id server_id date_created
      connectors { id evse_uid connector_id standard format power_type max_voltage max_amperage max_electric_power connector_type rate_setting status date_created date_modified }
      capabilities { id code description }
      payment_types { id code description }
    }
    facilities { id code description }
    parking_restrictions { id code description }
    parking_types { id code description }
  }
}`,
  evse: `query Evse {
  evse(location_name: "Fi", order_by: "location", order: "DESC") {
    uid evse_id serial_number meter_type status cpo_location_id current_ws_connection_id server_id date_created
    capabilities { id code description }
    payment_types { id code description }
    connectors { id evse_uid connector_id standard format power_type max_voltage max_amperage max_electric_power connector_type rate_setting status date_created date_modified }
    locations {
      id cpo_owner_id name address address_lat address_lng city region postal_code country_code images publish date_created date_modified
      facilities { id code description }
      parking_restrictions { id code description }
      parking_types { id code description }
    }
  }
}`,
};

const $ = (id) => document.getElementById(id);
const token = $('token');
token.value = sessionStorage.getItem('emsp-token') || '';
$('query').value = EXAMPLES.locations;
$('examples').addEventListener('change', (e) => { $('query').value = EXAMPLES[e.target.value]; });

async function run() {
  const button = $('run');
  button.disabled = true;
  $('output').textContent = 'Running…';
  sessionStorage.setItem('emsp-token', token.value);
  try {
    let variables = {};
    try { variables = JSON.parse($('variables').value || '{}'); } catch (err) { throw new Error('Variables are not valid JSON: ' + err.message); }
    const response = await fetch('/graphql', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: 'Bearer ' + token.value.trim() },
      body: JSON.stringify({ query: $('query').value, variables }),
    });
    const text = await response.text();
    let shown = text;
    try { shown = JSON.stringify(JSON.parse(text), null, 2); } catch (_) { /* not JSON: show as is */ }
    $('output').textContent = `HTTP ${response.status}\n\n${shown}`;
  } catch (err) {
    $('output').textContent = String(err.message || err);
  } finally {
    button.disabled = false;
  }
}

$('run').addEventListener('click', run);
document.addEventListener('keydown', (e) => { if ((e.ctrlKey || e.metaKey) && e.key === 'Enter') run(); });

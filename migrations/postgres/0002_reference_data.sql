-- OCPI 2.2.1 reference code lists (kept equal to app/src/domain/codes.rs by a test).

INSERT INTO capabilities (code, description) VALUES
  ('CHARGING_PROFILE_CAPABLE', 'Supports charging profiles'),
  ('CHARGING_PREFERENCES_CAPABLE', 'Supports charging preferences'),
  ('CHIP_CARD_SUPPORT', 'Payment terminal accepts chip cards'),
  ('CONTACTLESS_CARD_SUPPORT', 'Payment terminal accepts contactless cards'),
  ('CREDIT_CARD_PAYABLE', 'Payment terminal accepts credit cards'),
  ('DEBIT_CARD_PAYABLE', 'Payment terminal accepts debit cards'),
  ('PED_TERMINAL', 'Has a PIN entry device'),
  ('REMOTE_START_STOP_CAPABLE', 'Can be started and stopped remotely'),
  ('RESERVABLE', 'Can be reserved'),
  ('RFID_READER', 'Charging can be authorised with an RFID token'),
  ('START_SESSION_CONNECTOR_REQUIRED', 'Remote start needs a connector id'),
  ('TOKEN_GROUP_CAPABLE', 'Supports token groups'),
  ('UNLOCK_CAPABLE', 'Connector can be unlocked remotely');

INSERT INTO facilities (code, description) VALUES
  ('HOTEL', 'Hotel'),
  ('RESTAURANT', 'Restaurant'),
  ('CAFE', 'Cafe'),
  ('MALL', 'Shopping mall'),
  ('SUPERMARKET', 'Supermarket'),
  ('SPORT', 'Sport facilities'),
  ('RECREATION_AREA', 'Recreation area'),
  ('NATURE', 'Nature nearby'),
  ('MUSEUM', 'Museum'),
  ('BIKE_SHARING', 'Bike sharing station'),
  ('BUS_STOP', 'Bus stop'),
  ('TAXI_STAND', 'Taxi stand'),
  ('TRAM_STOP', 'Tram stop'),
  ('METRO_STATION', 'Metro station'),
  ('TRAIN_STATION', 'Train station'),
  ('AIRPORT', 'Airport'),
  ('PARKING_LOT', 'Parking lot'),
  ('CARPOOL_PARKING', 'Carpool parking'),
  ('FUEL_STATION', 'Fuel station'),
  ('WIFI', 'Wi-Fi available');

INSERT INTO parking_restrictions (code, description) VALUES
  ('EV_ONLY', 'Reserved for electric vehicles'),
  ('PLUGGED', 'Parking only while charging'),
  ('DISABLED', 'Reserved for disabled people'),
  ('CUSTOMERS', 'For customers of the location only'),
  ('MOTORCYCLES', 'Suitable for electric motorcycles or scooters only');

INSERT INTO parking_types (code, description) VALUES
  ('ALONG_MOTORWAY', 'Along a motorway or highway'),
  ('PARKING_GARAGE', 'Multi-storey car park'),
  ('PARKING_LOT', 'Open-air car park'),
  ('ON_DRIVEWAY', 'On a driveway'),
  ('ON_STREET', 'On-street parking'),
  ('UNDERGROUND_GARAGE', 'Underground car park');

INSERT INTO payment_types (code, description) VALUES
  ('APP', 'Pay in a mobile app'),
  ('CONTRACT', 'Charging card or roaming contract'),
  ('CREDIT_CARD', 'Credit card'),
  ('DEBIT_CARD', 'Debit card'),
  ('CONTACTLESS', 'Contactless card or phone'),
  ('PLUG_AND_CHARGE', 'Plug & Charge (ISO 15118)'),
  ('FREE', 'Free of charge');

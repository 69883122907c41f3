//! Types and rules compiled for both the browser and the server: one rule, two places.
pub mod charging;
pub mod codes;
pub mod inputs;
pub mod ocpi_limits;
pub mod role;
pub mod time_zones;
pub mod validation;
pub mod views;

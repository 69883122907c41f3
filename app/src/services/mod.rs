//! Use cases shared by the REST API, GraphQL, the portal and the command line: the rules, the
//! store writes and the files of each, in one place.
pub mod charger_commands;
pub mod chargers;
pub mod demo;
pub mod locations;
pub mod media;
pub mod parties;
pub mod registration;
pub mod storage;

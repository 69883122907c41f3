//! Use cases shared by the REST API, GraphQL and the portal.
pub mod media;
pub mod registration;

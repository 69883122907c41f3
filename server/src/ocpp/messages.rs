//! The payloads of the CALLs a charger sends, as OCPP 1.6's JSON schemas define them (field
//! names, types, required flags, maxLength and enumerations), and the actions 1.6 knows.
use super::schema::{optional, required, Field, Kind};

pub const CHARGE_POINT_STATUS: &[&str] = &[
    "Available",
    "Preparing",
    "Charging",
    "SuspendedEVSE",
    "SuspendedEV",
    "Finishing",
    "Reserved",
    "Unavailable",
    "Faulted",
];
pub const CHARGE_POINT_ERROR_CODE: &[&str] = &[
    "ConnectorLockFailure",
    "EVCommunicationError",
    "GroundFailure",
    "HighTemperature",
    "InternalError",
    "LocalListConflict",
    "NoError",
    "OtherError",
    "OverCurrentFailure",
    "PowerMeterFailure",
    "PowerSwitchFailure",
    "ReaderFailure",
    "ResetFailure",
    "UnderVoltage",
    "OverVoltage",
    "WeakSignal",
];
const REASON: &[&str] = &[
    "EmergencyStop",
    "EVDisconnected",
    "HardReset",
    "Local",
    "Other",
    "PowerLoss",
    "Reboot",
    "Remote",
    "SoftReset",
    "UnlockCommand",
    "DeAuthorized",
];
const MEASURAND: &[&str] = &[
    "Energy.Active.Export.Register",
    "Energy.Active.Import.Register",
    "Energy.Reactive.Export.Register",
    "Energy.Reactive.Import.Register",
    "Energy.Active.Export.Interval",
    "Energy.Active.Import.Interval",
    "Energy.Reactive.Export.Interval",
    "Energy.Reactive.Import.Interval",
    "Power.Active.Export",
    "Power.Active.Import",
    "Power.Offered",
    "Power.Reactive.Export",
    "Power.Reactive.Import",
    "Power.Factor",
    "Current.Import",
    "Current.Export",
    "Current.Offered",
    "Voltage",
    "Frequency",
    "Temperature",
    "SoC",
    "RPM",
];
const READING_CONTEXT: &[&str] = &[
    "Interruption.Begin",
    "Interruption.End",
    "Sample.Clock",
    "Sample.Periodic",
    "Transaction.Begin",
    "Transaction.End",
    "Trigger",
    "Other",
];
// `Celcius` is the 1.6 schemas' own typo, `Hertz` the errata's addition: chargers send both.
const UNIT: &[&str] = &[
    "Wh",
    "kWh",
    "varh",
    "kvarh",
    "W",
    "kW",
    "VA",
    "kVA",
    "var",
    "kvar",
    "A",
    "V",
    "K",
    "Celsius",
    "Celcius",
    "Fahrenheit",
    "Percent",
    "Hertz",
];
const PHASE: &[&str] = &["L1", "L2", "L3", "N", "L1-N", "L2-N", "L3-N", "L1-L2", "L2-L3", "L3-L1"];
const LOCATION: &[&str] = &["Cable", "EV", "Inlet", "Outlet", "Body"];
const VALUE_FORMAT: &[&str] = &["Raw", "SignedData"];
const DIAGNOSTICS_STATUS: &[&str] = &["Idle", "Uploaded", "UploadFailed", "Uploading"];
const FIRMWARE_STATUS: &[&str] =
    &["Downloaded", "DownloadFailed", "Downloading", "Idle", "InstallationFailed", "Installing", "Installed"];

const SAMPLED_VALUE: Kind = Kind::Object(&[
    required("value", Kind::AnyText),
    optional("context", Kind::OneOf(READING_CONTEXT)),
    optional("format", Kind::OneOf(VALUE_FORMAT)),
    optional("measurand", Kind::OneOf(MEASURAND)),
    optional("phase", Kind::OneOf(PHASE)),
    optional("location", Kind::OneOf(LOCATION)),
    optional("unit", Kind::OneOf(UNIT)),
]);
const METER_VALUE: Kind = Kind::Object(&[
    required("timestamp", Kind::DateTime),
    required("sampledValue", Kind::List { of: &SAMPLED_VALUE, min: 1 }),
]);

pub const BOOT_NOTIFICATION: &[Field] = &[
    required("chargePointVendor", Kind::Text(20)),
    required("chargePointModel", Kind::Text(20)),
    optional("chargePointSerialNumber", Kind::Text(25)),
    optional("chargeBoxSerialNumber", Kind::Text(25)),
    optional("firmwareVersion", Kind::Text(50)),
    optional("iccid", Kind::Text(20)),
    optional("imsi", Kind::Text(20)),
    optional("meterType", Kind::Text(25)),
    optional("meterSerialNumber", Kind::Text(25)),
];
pub const HEARTBEAT: &[Field] = &[];
pub const STATUS_NOTIFICATION: &[Field] = &[
    required("connectorId", Kind::Integer { min: 0 }),
    required("errorCode", Kind::OneOf(CHARGE_POINT_ERROR_CODE)),
    required("status", Kind::OneOf(CHARGE_POINT_STATUS)),
    optional("info", Kind::Text(50)),
    optional("timestamp", Kind::DateTime),
    optional("vendorId", Kind::Text(255)),
    optional("vendorErrorCode", Kind::Text(50)),
];
pub const METER_VALUES: &[Field] = &[
    required("connectorId", Kind::Integer { min: 0 }),
    optional("transactionId", Kind::Integer { min: i32::MIN as i64 }),
    required("meterValue", Kind::List { of: &METER_VALUE, min: 1 }),
];
pub const AUTHORIZE: &[Field] = &[required("idTag", Kind::Text(20))];
pub const START_TRANSACTION: &[Field] = &[
    required("connectorId", Kind::Integer { min: 1 }),
    required("idTag", Kind::Text(20)),
    required("meterStart", Kind::Integer { min: i32::MIN as i64 }),
    optional("reservationId", Kind::Integer { min: i32::MIN as i64 }),
    required("timestamp", Kind::DateTime),
];
pub const STOP_TRANSACTION: &[Field] = &[
    optional("idTag", Kind::Text(20)),
    required("meterStop", Kind::Integer { min: i32::MIN as i64 }),
    required("timestamp", Kind::DateTime),
    required("transactionId", Kind::Integer { min: i32::MIN as i64 }),
    optional("reason", Kind::OneOf(REASON)),
    optional("transactionData", Kind::List { of: &METER_VALUE, min: 0 }),
];
pub const DATA_TRANSFER: &[Field] =
    &[required("vendorId", Kind::Text(255)), optional("messageId", Kind::Text(50)), optional("data", Kind::AnyText)];
pub const DIAGNOSTICS_STATUS_NOTIFICATION: &[Field] = &[required("status", Kind::OneOf(DIAGNOSTICS_STATUS))];
pub const FIRMWARE_STATUS_NOTIFICATION: &[Field] = &[required("status", Kind::OneOf(FIRMWARE_STATUS))];

/// Actions of OCPP 1.6 (and of its security white paper) that a Central System does not take
/// from a charger: known, so a charger sending one gets `NotSupported`, not `NotImplemented`.
pub const NOT_SUPPORTED: &[&str] = &[
    "CancelReservation",
    "ChangeAvailability",
    "ChangeConfiguration",
    "ClearCache",
    "ClearChargingProfile",
    "GetCompositeSchedule",
    "GetConfiguration",
    "GetDiagnostics",
    "GetLocalListVersion",
    "RemoteStartTransaction",
    "RemoteStopTransaction",
    "ReserveNow",
    "Reset",
    "SendLocalList",
    "SetChargingProfile",
    "TriggerMessage",
    "UnlockConnector",
    "UpdateFirmware",
    "CertificateSigned",
    "DeleteCertificate",
    "ExtendedTriggerMessage",
    "GetInstalledCertificateIds",
    "GetLog",
    "InstallCertificate",
    "LogStatusNotification",
    "SecurityEventNotification",
    "SignCertificate",
    "SignedFirmwareStatusNotification",
    "SignedUpdateFirmware",
];

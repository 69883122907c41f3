//! A charge point that speaks OCPP 1.6J like a real one, for the demo, the browser tests and
//! the benchmark: it connects with HTTP Basic and `ocpp1.6`, boots, heartbeats, reports
//! statuses, runs charging sessions with meter values, and answers every command the platform
//! sends (Reset reconnects, RemoteStart/Stop run a session, TriggerMessage re-reports, …).
use base64::Engine;
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use std::collections::VecDeque;
use std::time::Duration;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::Message;

type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Who the charger is and where it connects.
#[derive(Debug, Clone)]
pub struct Identity {
    /// The endpoint without the identity, e.g. `ws://127.0.0.1:3000/ocpp`.
    pub endpoint: String,
    pub charge_point_id: String,
    pub key: String,
    /// How many EVSEs (OCPP connectors 1..=n) it has.
    pub evses: u32,
}

/// What it does on its own, beside answering commands.
#[derive(Debug, Clone, Default)]
pub struct Behaviour {
    /// `(after, connector, status)`: statuses to report at those times after the boot.
    pub script: Vec<(Duration, u32, String)>,
    /// Random sessions and faults every few seconds.
    pub random: bool,
    /// It stops (closing its socket) after this long.
    pub run_for: Duration,
}

/// Something to do next, in order.
#[derive(Debug, Clone)]
enum Step {
    Status(u32, &'static str),
    StartSession { connector: u32, id_tag: String },
    StopSession { connector: u32, reason: &'static str },
    Reconnect,
}

struct Session {
    transaction_id: i64,
    meter_wh: i64,
}

pub struct Charger {
    identity: Identity,
    socket: Socket,
    next_id: u64,
    steps: VecDeque<Step>,
    sessions: Vec<Option<Session>>,
    meter_wh: i64,
    rng: u64,
}

pub async fn connect(identity: &Identity) -> anyhow::Result<Socket> {
    let url = format!("{}/{}", identity.endpoint.trim_end_matches('/'), identity.charge_point_id);
    let mut request = url.into_client_request()?;
    let credentials = format!("{}:{}", identity.charge_point_id, identity.key);
    let basic = format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(credentials));
    request.headers_mut().insert("authorization", HeaderValue::from_str(&basic)?);
    request.headers_mut().insert("sec-websocket-protocol", HeaderValue::from_static("ocpp1.6"));
    let (socket, _) = tokio_tungstenite::connect_async(request).await?;
    Ok(socket)
}

impl Charger {
    /// Connects and sends its BootNotification; returns the charger and the heartbeat interval.
    pub async fn start(identity: Identity) -> anyhow::Result<(Self, Duration)> {
        let socket = connect(&identity).await?;
        let seed = identity
            .charge_point_id
            .bytes()
            .fold(0x9E37_79B9_7F4A_7C15u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01B3));
        let sessions = (0..identity.evses).map(|_| None).collect();
        let mut charger =
            Self { identity, socket, next_id: 0, steps: VecDeque::new(), sessions, meter_wh: 1_000_000, rng: seed };
        let interval = charger.boot().await?;
        Ok((charger, interval))
    }

    async fn boot(&mut self) -> anyhow::Result<Duration> {
        // chargePointSerialNumber is at most 25 characters: the identity's tail.
        let id = &self.identity.charge_point_id;
        let serial = format!("SIM-{}", &id[id.len().saturating_sub(21)..]);
        let answer = self
            .call(
                "BootNotification",
                json!({
                    "chargePointVendor": "EMSP Sim", "chargePointModel": "Dual 22", "chargePointSerialNumber": serial,
                    "firmwareVersion": "1.6.0-sim", "meterType": "Sim MID"
                }),
            )
            .await?;
        Ok(Duration::from_secs(answer["interval"].as_u64().unwrap_or(300).max(1)))
    }

    fn random(&mut self, below: u64) -> u64 {
        self.rng ^= self.rng << 13;
        self.rng ^= self.rng >> 7;
        self.rng ^= self.rng << 17;
        self.rng % below.max(1)
    }

    /// Sends a CALL and waits for its answer; CALLs from the platform meanwhile are answered.
    pub async fn call(&mut self, action: &str, payload: Value) -> anyhow::Result<Value> {
        self.next_id += 1;
        let id = format!("{}", self.next_id);
        self.socket.send(Message::Text(json!([2, id, action, payload]).to_string().into())).await?;
        loop {
            let frame = self.read().await?;
            match frame[0].as_i64() {
                Some(3) if frame[1] == id.as_str() => return Ok(frame[2].clone()),
                Some(4) if frame[1] == id.as_str() => anyhow::bail!("{action} refused: {frame}"),
                Some(2) => self.answer(&frame).await?,
                _ => {}
            }
        }
    }

    async fn read(&mut self) -> anyhow::Result<Value> {
        loop {
            match self.socket.next().await {
                Some(Ok(Message::Text(text))) => return Ok(serde_json::from_str(&text)?),
                Some(Ok(Message::Close(_))) | None => anyhow::bail!("the platform closed the connection"),
                Some(Ok(_)) => {}
                Some(Err(e)) => return Err(e.into()),
            }
        }
    }

    /// Answers one command and queues what a real charger would do after it.
    async fn answer(&mut self, frame: &Value) -> anyhow::Result<()> {
        let (id, action, payload) = (frame[1].clone(), frame[2].as_str().unwrap_or_default(), &frame[3]);
        let connector = payload["connectorId"].as_u64().and_then(|c| u32::try_from(c).ok());
        let known = |c: u32| c >= 1 && c <= self.identity.evses;
        let status = match action {
            "Reset" => {
                self.steps.push_back(Step::Reconnect);
                "Accepted"
            }
            "ChangeAvailability" => {
                let to = if payload["type"] == "Inoperative" { "Unavailable" } else { "Available" };
                match connector {
                    Some(0) | None => (1..=self.identity.evses).for_each(|c| self.steps.push_back(Step::Status(c, to))),
                    Some(c) => self.steps.push_back(Step::Status(c, to)),
                }
                "Accepted"
            }
            "UnlockConnector" if connector.is_some_and(known) => "Unlocked",
            "UnlockConnector" => "NotSupported",
            "RemoteStartTransaction" => {
                let c = connector.unwrap_or(1);
                if known(c) && self.sessions[(c - 1) as usize].is_none() {
                    let id_tag = payload["idTag"].as_str().unwrap_or("REMOTE").to_owned();
                    self.steps.push_back(Step::StartSession { connector: c, id_tag });
                    "Accepted"
                } else {
                    "Rejected"
                }
            }
            "RemoteStopTransaction" => {
                let wanted = payload["transactionId"].as_i64();
                let running =
                    self.sessions.iter().position(|s| s.as_ref().is_some_and(|s| Some(s.transaction_id) == wanted));
                match running {
                    Some(index) => {
                        self.steps.push_back(Step::StopSession { connector: index as u32 + 1, reason: "Remote" });
                        "Accepted"
                    }
                    None => "Rejected",
                }
            }
            "TriggerMessage" if payload["requestedMessage"] == "StatusNotification" => {
                let report: Vec<u32> = match connector {
                    Some(c) => vec![c],
                    None => (1..=self.identity.evses).collect(),
                };
                for c in report {
                    let now = if self.sessions.get((c.max(1) - 1) as usize).is_some_and(Option::is_some) {
                        "Charging"
                    } else {
                        "Available"
                    };
                    self.steps.push_back(Step::Status(c, now));
                }
                "Accepted"
            }
            "TriggerMessage" => "NotImplemented",
            _ => {
                let error = json!([4, id, "NotSupported", format!("the simulator does not do {action}"), {}]);
                self.socket.send(Message::Text(error.to_string().into())).await?;
                return Ok(());
            }
        };
        self.socket.send(Message::Text(json!([3, id, { "status": status }]).to_string().into())).await?;
        Ok(())
    }

    /// Closes the connection cleanly.
    pub async fn close(mut self) {
        let _ = self.socket.close(None).await;
    }

    pub async fn status(&mut self, connector: u32, status: &str) -> anyhow::Result<()> {
        let payload = json!({ "connectorId": connector, "errorCode": "NoError", "status": status });
        self.call("StatusNotification", payload).await.map(|_| ())
    }

    async fn run_step(&mut self, step: Step) -> anyhow::Result<()> {
        match step {
            Step::Status(connector, status) => self.status(connector, status).await,
            Step::StartSession { connector, id_tag } => {
                self.status(connector, "Preparing").await?;
                let answer = self
                    .call("StartTransaction", json!({ "connectorId": connector, "idTag": id_tag, "meterStart": self.meter_wh, "timestamp": now() }))
                    .await?;
                let transaction_id = answer["transactionId"].as_i64().unwrap_or_default();
                self.sessions[(connector - 1) as usize] = Some(Session { transaction_id, meter_wh: self.meter_wh });
                self.status(connector, "Charging").await
            }
            Step::StopSession { connector, reason } => {
                let Some(session) = self.sessions[(connector - 1) as usize].take() else { return Ok(()) };
                self.meter_wh = session.meter_wh.max(self.meter_wh) + 7_400;
                let payload = json!({ "transactionId": session.transaction_id, "meterStop": self.meter_wh, "timestamp": now(), "reason": reason });
                self.call("StopTransaction", payload).await?;
                self.status(connector, "Finishing").await?;
                self.status(connector, "Available").await
            }
            Step::Reconnect => {
                let _ = self.socket.close(None).await;
                tokio::time::sleep(Duration::from_secs(1)).await;
                self.socket = connect(&self.identity).await?;
                self.boot().await?;
                for c in 1..=self.identity.evses {
                    self.status(c, "Available").await?;
                }
                Ok(())
            }
        }
    }

    /// A random event: start a session on an idle EVSE, stop a running one, or a short fault.
    fn random_step(&mut self) {
        let connector = self.random(u64::from(self.identity.evses)) as u32 + 1;
        let running = self.sessions[(connector - 1) as usize].is_some();
        match (running, self.random(10)) {
            (true, _) => self.steps.push_back(Step::StopSession { connector, reason: "Local" }),
            (false, 0) => {
                self.steps.push_back(Step::Status(connector, "Faulted"));
                self.steps.push_back(Step::Status(connector, "Available"));
            }
            (false, _) => self.steps.push_back(Step::StartSession { connector, id_tag: "SIM-TAG".into() }),
        }
    }

    async fn meter_values(&mut self) -> anyhow::Result<()> {
        for index in 0..self.sessions.len() {
            let Some(session) = self.sessions[index].as_mut() else { continue };
            session.meter_wh += 1_850;
            let energy = session.meter_wh;
            let payload = json!({ "connectorId": index + 1, "transactionId": session.transaction_id, "meterValue": [{
            "timestamp": now(), "sampledValue": [
                { "value": energy.to_string() },
                { "value": "7.4", "measurand": "Power.Active.Import", "unit": "kW" }
            ]}]});
            self.call("MeterValues", payload).await?;
        }
        Ok(())
    }

    /// Reports every EVSE Available, then lives by `behaviour` until its time is up.
    pub async fn run(mut self, interval: Duration, behaviour: Behaviour) -> anyhow::Result<()> {
        for c in 1..=self.identity.evses {
            self.status(c, "Available").await?;
        }
        let started = Instant::now();
        let mut script: VecDeque<_> = behaviour.script.into_iter().collect();
        let mut heartbeat = tokio::time::interval_at(Instant::now() + interval, interval);
        let mut tick = tokio::time::interval(Duration::from_secs(1));
        let mut next_random = Instant::now() + Duration::from_secs(2 + self.random(6));
        while started.elapsed() < behaviour.run_for {
            if let Some(step) = self.steps.pop_front() {
                self.run_step(step).await?;
                continue;
            }
            tokio::select! {
                frame = self.read() => {
                    let frame = frame?;
                    if frame[0] == 2 {
                        self.answer(&frame).await?;
                    }
                }
                _ = heartbeat.tick() => { self.call("Heartbeat", json!({})).await?; }
                _ = tick.tick() => {
                    while script.front().is_some_and(|(after, _, _)| started.elapsed() >= *after) {
                        if let Some((_, connector, status)) = script.pop_front() {
                            self.status(connector, &status).await?;
                        }
                    }
                    if behaviour.random && Instant::now() >= next_random {
                        next_random = Instant::now() + Duration::from_secs(3 + self.random(8));
                        self.random_step();
                    }
                    if started.elapsed().as_secs().is_multiple_of(10) {
                        self.meter_values().await?;
                    }
                }
            }
        }
        let _ = self.socket.close(None).await;
        Ok(())
    }
}

fn now() -> String {
    app::clock::rfc3339(app::clock::now_ms())
}

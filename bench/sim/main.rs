//! `charge-point-sim`: one or more simulated OCPP 1.6J chargers against a running platform, for
//! the demo (`make demo`) and for trying the gateway by hand. Each stops after `--run-for`.
use clap::Parser;
use emsp_sim::{Behaviour, Charger, Identity};
use std::time::Duration;

#[derive(Parser)]
#[command(name = "charge-point-sim", about = "Simulated OCPP 1.6J charge points")]
struct Args {
    /// The platform's OCPP endpoint, without the identity.
    #[arg(long, default_value = "ws://127.0.0.1:3000/ocpp")]
    endpoint: String,
    /// One charger: its identity (with --key).
    #[arg(long)]
    id: Option<String>,
    #[arg(long)]
    key: Option<String>,
    /// Its EVSEs (OCPP connectors).
    #[arg(long, default_value_t = 2)]
    evses: u32,
    /// Or many: a file of `identity<TAB>key<TAB>evses` lines (what `emsp demo-data` writes).
    #[arg(long)]
    from: Option<std::path::PathBuf>,
    /// Statuses to report: `seconds:connector:Status,…`, e.g. `3:1:Charging,8:1:Available`.
    #[arg(long, default_value = "")]
    script: String,
    /// Random sessions and faults every few seconds.
    #[arg(long)]
    random: bool,
    /// Seconds until the simulator stops.
    #[arg(long, default_value_t = 600)]
    run_for: u64,
}

fn script(text: &str) -> anyhow::Result<Vec<(Duration, u32, String)>> {
    text.split(',')
        .filter(|step| !step.trim().is_empty())
        .map(|step| {
            let mut parts = step.trim().splitn(3, ':');
            let (Some(after), Some(connector), Some(status)) = (parts.next(), parts.next(), parts.next()) else {
                anyhow::bail!("a script step is seconds:connector:Status, not {step:?}");
            };
            Ok((Duration::from_secs_f64(after.parse()?), connector.parse()?, status.to_owned()))
        })
        .collect()
}

fn identities(args: &Args) -> anyhow::Result<Vec<Identity>> {
    let one = |id: &str, key: &str, evses: u32| Identity {
        endpoint: args.endpoint.clone(),
        charge_point_id: id.to_owned(),
        key: key.to_owned(),
        evses,
    };
    if let Some(file) = &args.from {
        let text = std::fs::read_to_string(file)?;
        return text
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|line| {
                let fields: Vec<&str> = line.split('\t').collect();
                match fields.as_slice() {
                    [id, key, evses] => Ok(one(id, key, evses.trim().parse()?)),
                    _ => anyhow::bail!("{}: expected identity, key and EVSE count per line", file.display()),
                }
            })
            .collect();
    }
    match (&args.id, &args.key) {
        (Some(id), Some(key)) => Ok(vec![one(id, key, args.evses)]),
        _ => anyhow::bail!("give --id and --key, or --from FILE"),
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let behaviour =
        Behaviour { script: script(&args.script)?, random: args.random, run_for: Duration::from_secs(args.run_for) };
    let runs = identities(&args)?.into_iter().map(|identity| {
        let behaviour = behaviour.clone();
        tokio::spawn(async move {
            let id = identity.charge_point_id.clone();
            let result = async {
                let (charger, interval) = Charger::start(identity).await?;
                println!("{id}: connected and booted");
                charger.run(interval, behaviour).await
            }
            .await;
            match result {
                Ok(()) => println!("{id}: done"),
                Err(e) => eprintln!("{id}: {e:#}"),
            }
        })
    });
    for run in futures_util::future::join_all(runs).await {
        run?;
    }
    Ok(())
}

//! Memory of idle clients: rumqttc preallocated ~13.5 MiB of in-flight
//! slots per client (R8); ours must stay well under 1 MiB each.

mod common;

use common::*;
use mqtt_engine::{Client, QoS, Subscription};
use mqtt_fixture::{Broker, BrokerConfig};

fn resident_bytes() -> usize {
    let statm = std::fs::read_to_string("/proc/self/statm").expect("linux /proc");
    let pages: usize = statm.split_whitespace().nth(1).unwrap().parse().unwrap();
    pages * 4096
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(target_os = "linux"),
    ignore = "resident memory is read from Linux's /proc/self/statm"
)]
async fn an_idle_connected_client_costs_well_under_one_mebibyte() {
    let broker = Broker::start(BrokerConfig::plain());
    // Warm up the runtime, TLS-free paths and allocator before measuring.
    let warm = client(&broker.url()).await;
    warm.subscribe(vec![Subscription::new("warm", QoS::AtLeastOnce)])
        .await
        .unwrap();
    let before = resident_bytes();
    let count = 200;
    let mut clients = Vec::with_capacity(count);
    for _ in 0..count {
        let c: Client = client(&broker.url()).await;
        c.subscribe(vec![Subscription::new("idle/#", QoS::AtLeastOnce)])
            .await
            .unwrap();
        clients.push(c);
    }
    let per_client = resident_bytes().saturating_sub(before) / count;
    println!(
        "resident memory per idle subscribed client: {} KiB",
        per_client / 1024
    );
    assert!(
        per_client < 256 * 1024,
        "{} KiB per idle client",
        per_client / 1024
    );
    for c in clients {
        finish(c).await;
    }
    finish(warm).await;
}

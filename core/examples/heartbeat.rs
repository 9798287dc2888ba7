//! One slot of one chip, end to end: derive the slot's challenge, sign a heartbeat
//! with a simulated chip, and verify it as a node would, with every backend.
#![allow(clippy::print_stdout)]

use poci::{
    Backend, DeviceKey, Heartbeat, HeartbeatContext, HeartbeatTbs, NetworkParams, Signed, Verifier,
    derive_challenge,
};

fn main() -> Result<(), poci::Error> {
    let params = NetworkParams::new("poci-testnet", 1_767_225_600, 3600, 120)?;
    let (epoch, slot, beacon) = (7u64, 42u32, [0x11u8; 32]);
    let chip = DeviceKey::from_seed(b"demo chip 1")?;
    let wallet = b"wallet-of-alice".to_vec();

    let challenge = derive_challenge(&params, epoch, slot, &beacon)?;
    println!(
        "network  {} (slot starts at unix {})",
        params.network_id(),
        params.slot_start_unix(epoch, slot)?
    );
    println!("chip     {}", chip.key_id());
    println!("challenge {}", hex(&challenge));

    let heartbeat = Signed::sign(
        HeartbeatTbs {
            network_id: params.network_id().to_owned(),
            chip_key_id: *chip.key_id(),
            wallet: wallet.clone(),
            epoch,
            slot,
            challenge,
            counter: 1,
            measurement: None,
        },
        &chip,
    )?;
    let der = heartbeat.to_der()?;
    println!("heartbeat DER ({} bytes) {}", der.len(), hex(&der));
    println!("heartbeat JSON {}", heartbeat.to_json()?);
    assert_eq!(Heartbeat::from_json(&heartbeat.to_json()?)?.to_der()?, der);

    let context = HeartbeatContext {
        network_id: params.network_id(),
        epoch,
        slot,
        challenge: &challenge,
        wallet: &wallet,
    };
    for backend in Backend::ALL {
        let verified =
            Verifier::new(*backend).verify_heartbeat(&der, chip.public_key(), &context)?;
        println!(
            "verified with {:<9} proof id {}",
            backend.name(),
            hex(&verified.proof_id)
        );
    }

    let replayed = HeartbeatContext {
        slot: 43,
        ..context
    };
    match Verifier::default().verify_heartbeat(&der, chip.public_key(), &replayed) {
        Ok(_) => println!("replay into the next slot was accepted: BUG"),
        Err(err) => println!("replay into the next slot refused: {} ({err})", err.code()),
    }
    Ok(())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

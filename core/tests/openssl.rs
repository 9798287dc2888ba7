//! A vendor chain made by an independent tool (the `openssl` command, driven with
//! conformance/openssl/poci-vendor.cnf) is accepted: the profile is standard X.509,
//! not merely self-consistent with POCI's own minting.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{SystemTime, UNIX_EPOCH};

use poci::{
    BindingContext, ChipBindingTbs, ChipModelRegistry, DeviceKey, ManifestSource, NetworkParams,
    RootKind, Signed, TrustPolicy, TrustStore, Verifier, derive_challenge,
};

const CONFIG: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/data/openssl/poci-vendor.cnf"
);

fn openssl(dir: &Path, args: &[&str]) {
    let output = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("the openssl command must be installed (make test installs it)");
    assert!(
        output.status.success(),
        "openssl {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

fn pem_to_der(dir: &Path, file: &str, kind: &str) -> Vec<u8> {
    let out = format!("{file}.der");
    openssl(dir, &[kind, "-in", file, "-outform", "DER", "-out", &out]);
    std::fs::read(dir.join(out)).unwrap()
}

fn workdir() -> PathBuf {
    let unique = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let dir = std::env::temp_dir().join(format!("poci-openssl-{}-{unique}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn openssl_made_chain_is_accepted() {
    let dir = workdir();
    // The chip's identity: the config's [chip_identity] section, rewritten for this chip.
    let config = std::fs::read_to_string(CONFIG)
        .unwrap()
        .replace("OCTETSTRING:chip-0001", "OCTETSTRING:openssl-chip-7");
    std::fs::write(dir.join("vendor.cnf"), config).unwrap();
    let steps: &[&[&str]] = &[
        &[
            "ecparam",
            "-name",
            "prime256v1",
            "-genkey",
            "-noout",
            "-out",
            "root.key",
        ],
        &[
            "req",
            "-new",
            "-x509",
            "-key",
            "root.key",
            "-sha256",
            "-days",
            "3650",
            "-set_serial",
            "1",
            "-subj",
            "/O=Example Vendor/CN=Example Vendor Root CA",
            "-config",
            "vendor.cnf",
            "-extensions",
            "v3_root",
            "-out",
            "root.pem",
        ],
        &[
            "ecparam",
            "-name",
            "prime256v1",
            "-genkey",
            "-noout",
            "-out",
            "intermediate.key",
        ],
        &[
            "req",
            "-new",
            "-key",
            "intermediate.key",
            "-subj",
            "/O=Example Vendor/CN=Example Vendor Device CA",
            "-config",
            "vendor.cnf",
            "-out",
            "intermediate.csr",
        ],
        &[
            "x509",
            "-req",
            "-in",
            "intermediate.csr",
            "-CA",
            "root.pem",
            "-CAkey",
            "root.key",
            "-set_serial",
            "2",
            "-days",
            "3650",
            "-sha256",
            "-extfile",
            "vendor.cnf",
            "-extensions",
            "v3_intermediate",
            "-out",
            "intermediate.pem",
        ],
        &[
            "ecparam",
            "-name",
            "prime256v1",
            "-genkey",
            "-noout",
            "-out",
            "device.key",
        ],
        &[
            "req",
            "-new",
            "-key",
            "device.key",
            "-subj",
            "/O=Example Vendor/CN=openssl-chip-7",
            "-config",
            "vendor.cnf",
            "-out",
            "device.csr",
        ],
        &[
            "x509",
            "-req",
            "-in",
            "device.csr",
            "-CA",
            "intermediate.pem",
            "-CAkey",
            "intermediate.key",
            "-set_serial",
            "3",
            "-days",
            "1825",
            "-sha256",
            "-extfile",
            "vendor.cnf",
            "-extensions",
            "v3_device",
            "-out",
            "device.pem",
        ],
    ];
    for step in steps {
        openssl(&dir, step);
    }
    for ca in ["root", "intermediate"] {
        std::fs::write(dir.join(format!("{ca}.index")), "").unwrap();
        std::fs::write(dir.join(format!("{ca}.crlnumber")), "01\n").unwrap();
        openssl(
            &dir,
            &[
                "ca",
                "-gencrl",
                "-config",
                "vendor.cnf",
                "-name",
                &format!("ca_{ca}"),
                "-keyfile",
                &format!("{ca}.key"),
                "-cert",
                &format!("{ca}.pem"),
                "-out",
                &format!("{ca}.crl.pem"),
            ],
        );
    }

    // The device key, from openssl's SEC1 DER: 30 77 02 01 01 04 20 <secret> ...
    let key_der = pem_to_der(&dir, "device.key", "ec");
    assert_eq!(
        &key_der[2..7],
        &[0x02, 0x01, 0x01, 0x04, 0x20],
        "SEC1 ECPrivateKey"
    );
    let device_key = DeviceKey::from_secret_bytes(&key_der[7..39]).unwrap();

    let manifest = "schema = 1\nvendor_id = \"example-vendor\"\ndisplay_name = \"Example Vendor\"\n\
        test = true\nstatus = \"active\"\n\n[[models]]\nmodel_id = \"poci-test-accel-a1\"\n\
        display_name = \"Accelerator\"\nfp16_tensor_tflops = \"100\"\nfp16_tensor_sparse = false\n\
        rating_milli_cu = 100000\nsource = \"openssl test\"\n";
    let read = |file: &str| std::fs::read(dir.join(file)).unwrap();
    let registry = ChipModelRegistry::from_manifests(&[ManifestSource {
        file: "example-vendor.toml",
        toml: manifest,
    }])
    .unwrap();
    let mut store = TrustStore::new(
        registry,
        TrustPolicy {
            allow_test_vendors: true,
            ..TrustPolicy::default()
        },
    );
    // PEM straight from openssl.
    let crls = [read("root.crl.pem"), read("intermediate.crl.pem")];
    store
        .add_roots(
            "example-vendor",
            RootKind::Vendor,
            &[&read("root.pem")],
            &[&crls[0], &crls[1]],
        )
        .unwrap();

    // Slots start a minute from now: after the certificates' notBefore, inside every validity.
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let params = NetworkParams::new("poci-testnet", now + 60, 3600, 120).unwrap();
    let challenge = derive_challenge(&params, 0, 0, b"beacon").unwrap();
    let tbs = ChipBindingTbs {
        network_id: "poci-testnet".into(),
        chip_serial: b"openssl-chip-7".to_vec(),
        model_id: "poci-test-accel-a1".into(),
        wallet: b"wallet".to_vec(),
        binding_counter: 1,
        epoch: 0,
        slot: 0,
        challenge,
        certificates: vec![
            pem_to_der(&dir, "device.pem", "x509"),
            pem_to_der(&dir, "intermediate.pem", "x509"),
        ],
    };
    let der = Signed::sign(tbs, &device_key).unwrap().to_der().unwrap();
    let context = BindingContext::new(&params, 0, 0, &challenge, b"wallet");
    let verified = Verifier::with_trust_store(store)
        .verify_binding(&der, &context)
        .unwrap();
    assert_eq!(verified.record.vendor_id, "example-vendor");
    assert_eq!(verified.record.serial, b"openssl-chip-7");
    assert_eq!(verified.record.security_version, 3);
    assert_eq!(verified.record.key_id, *device_key.key_id());
    std::fs::remove_dir_all(&dir).unwrap();
}

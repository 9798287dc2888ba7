//! The `bindings` vector file (conformance/vectors/bindings.json) and its builders.

use super::*;

pub(super) fn vendor_a() -> Result<TestVendor> {
    TestVendor::from_seed("poci-test-a", "POCI Test Vendor A")
}

pub(super) fn identity(model: &str, serial: &[u8]) -> ChipIdentity {
    ChipIdentity {
        model_id: model.into(),
        serial: serial.to_vec(),
        security_version: 3,
    }
}

pub(super) fn binding_tbs(
    serial: &[u8],
    model: &str,
    certificates: Vec<Vec<u8>>,
) -> Result<ChipBindingTbs> {
    Ok(ChipBindingTbs {
        network_id: NETWORK.into(),
        chip_serial: serial.to_vec(),
        model_id: model.into(),
        wallet: WALLET.to_vec(),
        binding_counter: 1,
        epoch: EPOCH,
        slot: SLOT,
        challenge: challenge()?,
        certificates,
    })
}

pub(super) fn manifests_json(sources: &[(String, &str)]) -> Value {
    Value::Array(
        sources
            .iter()
            .map(|(file, toml)| json!({ "file": file, "toml": toml }))
            .collect(),
    )
}

pub(super) fn store_spec(
    allow_test_vendors: bool,
    unknown_revocation: &str,
    manifests: Value,
    roots: Vec<Value>,
) -> Value {
    json!({
        "policy": { "allow_test_vendors": allow_test_vendors, "unknown_revocation": unknown_revocation },
        "manifests": manifests,
        "roots": roots,
    })
}

pub(super) fn roots_entry(vendor_id: &str, kind: &str, roots: &[String], crls: &[String]) -> Value {
    json!({ "vendor_id": vendor_id, "kind": kind, "roots": roots, "crls": crls })
}

pub(super) fn pem_certificate(der: &[u8]) -> Result<String> {
    to_pem("CERTIFICATE", der)
}

pub(super) fn pem_crl(der: &[u8]) -> Result<String> {
    to_pem("X509 CRL", der)
}

pub(super) fn all_manifests() -> Value {
    let mut all = embedded_manifests(false);
    all.extend(embedded_manifests(true));
    manifests_json(&all)
}

pub(super) fn testnet_roots() -> Vec<Value> {
    [
        ("poci-test-a", "poci-test-a", "vendor"),
        ("poci-test-b", "poci-test-b", "vendor"),
        ("testnet/nvidia", "nvidia", "test"),
    ]
    .iter()
    .map(|(folder, vendor_id, kind)| {
        let text = |file: &str| embedded_text(&format!("{folder}/{file}")).to_owned();
        let roots = [text("roots/root.pem")];
        let crls = [text("crls/root.crl.pem"), text("crls/intermediate.crl.pem")];
        roots_entry(vendor_id, kind, &roots, &crls)
    })
    .collect()
}

pub(super) fn vendor_a_manifest() -> Value {
    manifests_json(&embedded_manifests(true)[..1])
}

pub(super) fn vendor_a_roots(vendor: &TestVendor, crls: &[Vec<u8>]) -> Result<Value> {
    let crls = crls
        .iter()
        .map(|crl| pem_crl(crl))
        .collect::<Result<Vec<_>>>()?;
    Ok(roots_entry(
        "poci-test-a",
        "vendor",
        &[pem_certificate(&vendor.root_der)?],
        &crls,
    ))
}

pub(super) fn template(
    vendor: &TestVendor,
    serial: &[u8],
    model: &str,
) -> Result<CertificateTemplate> {
    Ok(CertificateTemplate {
        serial: 77,
        subject: DistinguishedName {
            organization: "POCI Test Vendor A".into(),
            common_name: "chip".into(),
        },
        not_before: TEST_NOT_BEFORE,
        not_after: TEST_DEVICE_NOT_AFTER,
        extensions: device_extensions(
            vendor.intermediate_key.public_key(),
            &identity(model, serial),
        )?,
    })
}

pub(super) fn bindings() -> Result<VectorFile> {
    let mut f = FileBuilder::new(
        "bindings",
        "Chip bindings against vendor trust (SPEC.md 6.4, 10, 11)",
    );
    let vendor = vendor_a()?;
    f.trust_store(
        "testnet",
        store_spec(true, "deny", all_manifests(), testnet_roots()),
    );
    f.trust_store(
        "production",
        store_spec(false, "deny", all_manifests(), testnet_roots()),
    );
    let empty_crls = [
        vendor.root_crl_der.clone(),
        vendor.intermediate_crl_der.clone(),
    ];
    let revoking = mint_crl(
        vendor.intermediate(),
        TEST_NOT_BEFORE,
        TEST_DEVICE_NOT_AFTER,
        2,
        &[100],
    )?;
    f.trust_store(
        "revoked-device",
        store_spec(
            true,
            "deny",
            vendor_a_manifest(),
            vec![vendor_a_roots(
                &vendor,
                &[vendor.root_crl_der.clone(), revoking],
            )?],
        ),
    );
    f.trust_store(
        "no-crls",
        store_spec(
            true,
            "deny",
            vendor_a_manifest(),
            vec![vendor_a_roots(&vendor, &[])?],
        ),
    );
    f.trust_store(
        "no-crls-allowed",
        store_spec(
            true,
            "allow",
            vendor_a_manifest(),
            vec![vendor_a_roots(&vendor, &[])?],
        ),
    );
    let stale = mint_crl(
        vendor.intermediate(),
        TEST_NOT_BEFORE,
        TEST_NOT_BEFORE + 60,
        2,
        &[],
    )?;
    f.trust_store(
        "expired-crl",
        store_spec(
            true,
            "deny",
            vendor_a_manifest(),
            vec![vendor_a_roots(
                &vendor,
                &[vendor.root_crl_der.clone(), stale],
            )?],
        ),
    );
    let revoked_manifest = embedded_text("poci-test-a/manifest.toml")
        .replace("status = \"active\"", "status = \"revoked\"");
    f.trust_store(
        "revoked-vendor",
        store_spec(
            true,
            "deny",
            json!([{ "file": "poci-test-a/manifest.toml", "toml": revoked_manifest }]),
            vec![vendor_a_roots(&vendor, &empty_crls)?],
        ),
    );
    // A vendor whose root expires an hour after genesis while its CA and chips live on.
    let short_key = DeviceKey::from_seed(b"short/root")?;
    let short_name = DistinguishedName {
        organization: "Short".into(),
        common_name: "Short Root".into(),
    };
    let short_root = mint_root(
        &short_key,
        &short_name,
        1,
        TEST_NOT_BEFORE,
        TEST_NOT_BEFORE + 3600,
    )?;
    let short_issuer = Issuer {
        name: &short_name,
        key: &short_key,
    };
    let short_ca_key = DeviceKey::from_seed(b"short/intermediate")?;
    let short_ca_name = DistinguishedName {
        organization: "Short".into(),
        common_name: "Short CA".into(),
    };
    let short_ca = mint_intermediate(
        short_issuer,
        short_ca_key.public_key(),
        &short_ca_name,
        2,
        TEST_NOT_BEFORE,
        TEST_DEVICE_NOT_AFTER,
    )?;
    let short_ca_issuer = Issuer {
        name: &short_ca_name,
        key: &short_ca_key,
    };
    let short_crls = [
        pem_crl(&mint_crl(
            short_issuer,
            TEST_NOT_BEFORE,
            TEST_DEVICE_NOT_AFTER,
            1,
            &[],
        )?)?,
        pem_crl(&mint_crl(
            short_ca_issuer,
            TEST_NOT_BEFORE,
            TEST_DEVICE_NOT_AFTER,
            1,
            &[],
        )?)?,
    ];
    let short_manifest = "schema = 1\nvendor_id = \"short\"\ndisplay_name = \"Short\"\ntest = true\nstatus = \"active\"\n\n\
        [[models]]\nmodel_id = \"short-accel-1\"\ndisplay_name = \"Short accelerator\"\nint8_tops = \"2\"\n\
        int8_sparse = false\nrating_milli_cu = 1000\nsource = \"synthetic\"\n";
    f.trust_store(
        "short-root",
        store_spec(
            true,
            "deny",
            json!([{ "file": "short/manifest.toml", "toml": short_manifest }]),
            vec![roots_entry(
                "short",
                "vendor",
                &[pem_certificate(&short_root)?],
                &short_crls,
            )],
        ),
    );

    let context = json!({ "params": params_json()?, "epoch": "7", "slot": SLOT, "challenge": h(&challenge()?), "wallet": h(WALLET) });
    let input = |store: &str, der: &[u8]| json!({ "trust_store": store, "der": h(der), "context": context });
    let chain_of =
        |key: &DeviceKey, certificate: Vec<u8>, serial: &[u8], model: &str| -> Result<Vec<u8>> {
            Signed::sign(
                binding_tbs(
                    serial,
                    model,
                    vec![certificate, vendor.intermediate_der.clone()],
                )?,
                key,
            )?
            .to_der()
        };
    let crafted = |template: CertificateTemplate, serial: &[u8], model: &str| -> Result<Vec<u8>> {
        let key = DeviceKey::from_seed(b"vector crafted chip")?;
        let certificate = issue_certificate(&template, key.public_key(), vendor.intermediate())?;
        chain_of(&key, certificate, serial, model)
    };

    f.group("valid", "verify_binding");
    let (key, certificate) = vendor.mint_chip(
        b"vector binding chip",
        &identity("poci-test-accel-a1", b"SN-1"),
        100,
    )?;
    let valid = chain_of(&key, certificate, b"SN-1", "poci-test-accel-a1")?;
    f.ok("test vendor chip", input("testnet", &valid));
    let nvidia = testnet_vendor("nvidia", "NVIDIA")?;
    let (h100, h100_cert) =
        nvidia.mint_chip(b"vector h100", &identity("nvidia-h100-sxm", b"H100-1"), 5)?;
    let h100_binding = Signed::sign(
        binding_tbs(
            b"H100-1",
            "nvidia-h100-sxm",
            vec![h100_cert, nvidia.intermediate_der.clone()],
        )?,
        &h100,
    )?
    .to_der()?;
    f.ok(
        "real model under a testnet root, rated by the registry",
        input("testnet", &h100_binding),
    );
    f.ok(
        "no CRL, policy allows unknown status",
        input("no-crls-allowed", &valid),
    );

    f.group("chain", "verify_binding");
    let mut expired = template(&vendor, b"SN-1", "poci-test-accel-a1")?;
    expired.not_after = TEST_NOT_BEFORE + 3600;
    f.err(
        "device certificate expired",
        input("testnet", &crafted(expired, b"SN-1", "poci-test-accel-a1")?),
        "CERT_EXPIRED",
    );
    let mut early = template(&vendor, b"SN-1", "poci-test-accel-a1")?;
    early.not_before = TEST_NOT_BEFORE + 86_400;
    f.err(
        "device certificate not yet valid",
        input("testnet", &crafted(early, b"SN-1", "poci-test-accel-a1")?),
        "CERT_NOT_YET_VALID",
    );
    f.err(
        "device certificate revoked",
        input("revoked-device", &valid),
        "CERT_REVOKED",
    );
    let rogue = TestVendor::from_seed("rogue", "Rogue")?;
    let (rogue_key, rogue_cert) =
        rogue.mint_chip(b"rogue chip", &identity("poci-test-accel-a1", b"SN-9"), 5)?;
    let rogue_binding = Signed::sign(
        binding_tbs(
            b"SN-9",
            "poci-test-accel-a1",
            vec![rogue_cert, rogue.intermediate_der.clone()],
        )?,
        &rogue_key,
    )?
    .to_der()?;
    f.err(
        "chain to an unknown root",
        input("testnet", &rogue_binding),
        "UNKNOWN_ISSUER",
    );
    let mut server = template(&vendor, b"SN-1", "poci-test-accel-a1")?;
    if let Some(eku) = server.extensions.get_mut(1) {
        *eku = X509Extension::ext_key_usage(&[&[0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x01]])?;
    }
    f.err(
        "TLS server EKU instead of device attestation",
        input("testnet", &crafted(server, b"SN-1", "poci-test-accel-a1")?),
        "WRONG_KEY_USAGE",
    );
    let swapped = template(&vendor, b"SN-1", "poci-test-npu-b1")?;
    f.err(
        "vendor A certifies a model of vendor B",
        input("testnet", &crafted(swapped, b"SN-1", "poci-test-npu-b1")?),
        "MODEL_NOT_ALLOWED_FOR_VENDOR",
    );
    f.err(
        "test vendor under a production policy",
        input("production", &valid),
        "TEST_VENDOR_REFUSED",
    );
    f.err(
        "testnet root of a real vendor under a production policy",
        input("production", &h100_binding),
        "TEST_VENDOR_REFUSED",
    );
    let junk = seq(&[octets(b"certificate")]);
    let too_long = hand_built_binding(&key, seq(&vec![junk; 5]))?;
    f.err(
        "five certificates",
        input("testnet", &too_long),
        "CHAIN_TOO_LONG",
    );
    let impostor = DeviceKey::from_seed(b"impostor")?;
    let crafted_key = DeviceKey::from_seed(b"vector crafted chip")?;
    let forged = issue_certificate(
        &template(&vendor, b"SN-1", "poci-test-accel-a1")?,
        crafted_key.public_key(),
        Issuer {
            name: &vendor.intermediate_name,
            key: &impostor,
        },
    )?;
    f.err(
        "device certificate signed by an impostor",
        input(
            "testnet",
            &chain_of(&crafted_key, forged, b"SN-1", "poci-test-accel-a1")?,
        ),
        "CERT_SIGNATURE_INVALID",
    );
    f.err(
        "no CRL speaks for the chain",
        input("no-crls", &valid),
        "REVOCATION_STATUS_UNKNOWN",
    );
    f.err(
        "the intermediate's CRL is past nextUpdate",
        input("expired-crl", &valid),
        "CRL_EXPIRED",
    );
    f.err(
        "vendor revoked in its manifest",
        input("revoked-vendor", &valid),
        "VENDOR_REVOKED",
    );
    let short_chip = DeviceKey::from_seed(b"short chip")?;
    let short_cert = mint_device_certificate(
        short_ca_issuer,
        short_chip.public_key(),
        &identity("short-accel-1", b"SN-1"),
        9,
        TEST_NOT_BEFORE,
        TEST_DEVICE_NOT_AFTER,
    )?;
    let short_binding = Signed::sign(
        binding_tbs(b"SN-1", "short-accel-1", vec![short_cert, short_ca])?,
        &short_chip,
    )?
    .to_der()?;
    f.err(
        "root expired although its CA and chip are valid",
        input("short-root", &short_binding),
        "CERT_EXPIRED",
    );

    f.group("policy", "verify_binding");
    let mut anonymous = template(&vendor, b"SN-1", "poci-test-accel-a1")?;
    anonymous.extensions.remove(2);
    f.err(
        "no chip identity extension",
        input(
            "testnet",
            &crafted(anonymous, b"SN-1", "poci-test-accel-a1")?,
        ),
        "MISSING_CHIP_IDENTITY",
    );
    f.err(
        "model not in the registry",
        input(
            "testnet",
            &crafted(
                template(&vendor, b"SN-1", "nobody-accel-9")?,
                b"SN-1",
                "nobody-accel-9",
            )?,
        ),
        "MODEL_UNKNOWN",
    );
    f.err(
        "binding names another serial",
        input(
            "testnet",
            &crafted(
                template(&vendor, b"SN-1", "poci-test-accel-a1")?,
                b"SN-2",
                "poci-test-accel-a1",
            )?,
        ),
        "SERIAL_MISMATCH",
    );
    f.err(
        "binding names another model",
        input(
            "testnet",
            &crafted(
                template(&vendor, b"SN-1", "poci-test-accel-a1")?,
                b"SN-1",
                "poci-test-accel-a2",
            )?,
        ),
        "MODEL_MISMATCH",
    );
    let junk_device = Signed::sign(
        binding_tbs(
            b"SN-1",
            "poci-test-accel-a1",
            vec![seq(&[octets(b"not a certificate")])],
        )?,
        &key,
    )?
    .to_der()?;
    f.err(
        "device certificate that is not X.509",
        input("testnet", &junk_device),
        "BAD_CERTIFICATE",
    );
    let ca_as_device = Signed::sign(
        binding_tbs(
            b"SN-1",
            "poci-test-accel-a1",
            vec![vendor.intermediate_der.clone()],
        )?,
        &key,
    )?
    .to_der()?;
    f.err(
        "a CA certificate as the device certificate",
        input("testnet", &ca_as_device),
        "BAD_CERTIFICATE",
    );
    let thief = DeviceKey::from_seed(b"thief")?;
    let (_, victim_cert) = vendor.mint_chip(
        b"vector binding chip",
        &identity("poci-test-accel-a1", b"SN-1"),
        100,
    )?;
    f.err(
        "binding signed by a key the certificate does not name",
        input(
            "testnet",
            &chain_of(&thief, victim_cert, b"SN-1", "poci-test-accel-a1")?,
        ),
        "SIGNATURE_INVALID",
    );
    let wrong_wallet = json!({ "trust_store": "testnet", "der": h(&valid), "context": { "params": params_json()?, "epoch": "7", "slot": SLOT, "challenge": h(&challenge()?), "wallet": h(b"front-runner") } });
    f.err(
        "claim submitted by another wallet (front-running)",
        wrong_wallet,
        "WALLET_MISMATCH",
    );

    f.group("trust_material", "trust_store");
    let store_input = |spec: Value| json!({ "trust_store": spec });
    f.ok(
        "the test-network trust material",
        store_input(store_spec(true, "deny", all_manifests(), testnet_roots())),
    );
    f.err(
        "a CRL that is not a CRL",
        store_input(store_spec(
            true,
            "deny",
            vendor_a_manifest(),
            vec![roots_entry(
                "poci-test-a",
                "vendor",
                &[pem_certificate(&vendor.root_der)?],
                &[pem_crl(&[0x30, 0x03, 0x02, 0x01, 0x01])?],
            )],
        )),
        "BAD_CRL",
    );
    f.err(
        "roots for a vendor no manifest declares",
        store_input(store_spec(
            true,
            "deny",
            vendor_a_manifest(),
            vec![roots_entry(
                "nobody",
                "vendor",
                &[pem_certificate(&vendor.root_der)?],
                &[],
            )],
        )),
        "MANIFEST_INVALID",
    );
    f.err(
        "a device certificate as a root",
        store_input(store_spec(
            true,
            "deny",
            vendor_a_manifest(),
            vec![roots_entry(
                "poci-test-a",
                "vendor",
                &[pem_certificate(&vendor.intermediate_der)?],
                &[],
            )],
        )),
        "MANIFEST_INVALID",
    );
    // Ambiguous roots are refused whatever the order (SPEC.md 11).
    let same_name = |seed: &[u8], serial: u64| -> Result<String> {
        let key = DeviceKey::from_seed(seed)?;
        let template = CertificateTemplate {
            serial,
            subject: vendor.root_name.clone(),
            not_before: TEST_NOT_BEFORE,
            not_after: TEST_DEVICE_NOT_AFTER,
            extensions: vec![
                X509Extension::ca(None)?,
                X509Extension::key_usage_ca()?,
                X509Extension::subject_key_identifier(key.public_key())?,
            ],
        };
        let issuer = Issuer {
            name: &vendor.root_name,
            key: &key,
        };
        pem_certificate(&issue_certificate(&template, key.public_key(), issuer)?)
    };
    let impostor_root = same_name(b"same-name root", 900)?;
    f.err(
        "a second root with the vendor root's name and another key",
        store_input(store_spec(
            true,
            "deny",
            vendor_a_manifest(),
            vec![roots_entry(
                "poci-test-a",
                "vendor",
                &[pem_certificate(&vendor.root_der)?, impostor_root],
                &[],
            )],
        )),
        "MANIFEST_INVALID",
    );
    f.err(
        "one root listed by two vendors",
        store_input(store_spec(
            true,
            "deny",
            all_manifests(),
            vec![
                roots_entry(
                    "poci-test-a",
                    "vendor",
                    &[pem_certificate(&vendor.root_der)?],
                    &[],
                ),
                roots_entry(
                    "poci-test-b",
                    "vendor",
                    &[pem_certificate(&vendor.root_der)?],
                    &[],
                ),
            ],
        )),
        "MANIFEST_INVALID",
    );
    adversarial_bindings(&mut f, &vendor, &valid, &context)?;
    strict_certificates(&mut f, &vendor, &context)?;
    decided_revocation(&mut f, &vendor, &valid, &context)?;
    Ok(f.finish())
}

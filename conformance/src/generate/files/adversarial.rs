//! The adversarial and strictness cases of the `bindings` vector file: certificates, CRLs
//! and chains built to fool the verifier, and the decided readings of SPEC.md 6.4 and 10.

use super::*;

/// A binding of serial `SN-1` (model a1, the vectors' slot and wallet) built by hand around
/// `certificates` (a SEQUENCE TLV), for chains the library refuses to encode.
pub(super) fn hand_built_binding(key: &DeviceKey, certificates: Vec<u8>) -> Result<Vec<u8>> {
    sign_raw(
        key,
        &seq(&[
            uint(1),
            oid(&poci::oid::CHIP_BINDING_DOMAIN_DER),
            utf8(NETWORK),
            octets(b"SN-1"),
            utf8("poci-test-accel-a1"),
            octets(WALLET),
            uint(1),
            uint(u128::from(EPOCH)),
            uint(u128::from(SLOT)),
            octets(&challenge()?),
            certificates,
        ]),
    )
}

/// The content octets of a DER TLV (definite length).
pub(super) fn content_of(der: &[u8]) -> &[u8] {
    let first = der[1];
    if first < 0x80 {
        &der[2..2 + usize::from(first)]
    } else {
        let count = usize::from(first & 0x7f);
        let len = der[2..2 + count]
            .iter()
            .fold(0usize, |len, byte| (len << 8) | usize::from(*byte));
        &der[2 + count..2 + count + len]
    }
}

/// The TLVs of a SEQUENCE's content, each whole.
pub(super) fn elements(mut content: &[u8]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    while !content.is_empty() {
        let inner = content_of(content).len();
        let header = if content[1] < 0x80 {
            2
        } else {
            2 + usize::from(content[1] & 0x7f)
        };
        out.push(content[..header + inner].to_vec());
        content = &content[header + inner..];
    }
    out
}

/// `certificate` (or a CRL: the same outer shape) with its signed part's elements edited,
/// signed again by `issuer_key`.
pub(super) fn resign(
    certificate: &[u8],
    issuer_key: &DeviceKey,
    edit: impl FnOnce(&mut Vec<Vec<u8>>),
) -> Result<Vec<u8>> {
    let outer = elements(content_of(certificate));
    let mut tbs = elements(content_of(&outer[0]));
    edit(&mut tbs);
    let tbs = seq(&tbs);
    let mut bits = vec![0u8];
    bits.extend(issuer_key.sign(&tbs)?);
    Ok(seq(&[tbs, outer[1].clone(), tlv(0x03, &bits)]))
}

/// A private OID arc nobody defines (1.3.6.1.4.1.99999.n).
pub(super) fn private_oid(n: u8) -> Vec<u8> {
    vec![0x2b, 0x06, 0x01, 0x04, 0x01, 0x86, 0x8d, 0x1f, n]
}

/// Vendor A's intermediate issued again by its root (same name and key, so its CRLs still
/// speak), with other extensions.
pub(super) fn reissued_intermediate(
    vendor: &TestVendor,
    extensions: Vec<X509Extension>,
) -> Result<Vec<u8>> {
    issue_certificate(
        &CertificateTemplate {
            serial: 12,
            subject: vendor.intermediate_name.clone(),
            not_before: TEST_NOT_BEFORE,
            not_after: TEST_DEVICE_NOT_AFTER,
            extensions,
        },
        vendor.intermediate_key.public_key(),
        vendor.root(),
    )
}

/// A TLV with a long-form length (`81 LL`) even where the short form fits: BER, not DER.
pub(super) fn long_form(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag, 0x81, u8::try_from(content.len()).unwrap_or(u8::MAX)];
    out.extend_from_slice(content);
    out
}

/// A Name `CN=<common_name>` whose attribute value has a long-form length.
pub(super) fn ber_name(common_name: &str) -> Vec<u8> {
    let value = long_form(0x0c, common_name.as_bytes());
    seq(&[tlv(0x31, &seq(&[oid(&[0x55, 0x04, 0x03]), value]))])
}

/// The certificate profile read whole at step 2 (SPEC.md 6.4, 10; findings P2, P3, P4, P8
/// and ambiguities A7, A8, A10 of the Step 12 review): each defect is `BAD_CERTIFICATE`
/// before any signature or chain check, however the rest of the binding looks.
pub(super) fn strict_certificates(
    f: &mut FileBuilder,
    vendor: &TestVendor,
    context: &Value,
) -> Result<()> {
    let input = |der: &[u8]| json!({ "trust_store": "testnet", "der": h(der), "context": context });
    let chip = DeviceKey::from_seed(b"vector strict chip")?;
    let bind = |certificates: Vec<Vec<u8>>| -> Result<Vec<u8>> {
        Signed::sign(
            binding_tbs(b"SN-1", "poci-test-accel-a1", certificates)?,
            &chip,
        )?
        .to_der()
    };
    let base = template(vendor, b"SN-1", "poci-test-accel-a1")?;
    let device = issue_certificate(&base, chip.public_key(), vendor.intermediate())?;
    let with_device = |edit: &dyn Fn(&mut Vec<Vec<u8>>)| -> Result<Vec<u8>> {
        let certificate = resign(&device, &vendor.intermediate_key, |tbs| edit(tbs))?;
        bind(vec![certificate, vendor.intermediate_der.clone()])
    };
    // tbs elements: version, serial, signature, issuer, validity, subject, spki, extensions.
    f.err(
        "device subject Name with a long-form length inside it, re-signed",
        input(&with_device(&|tbs| tbs[5] = ber_name("chip"))?),
        "BAD_CERTIFICATE",
    );
    let issuer_common_name = vendor.intermediate_name.common_name.clone();
    f.err(
        "device issuer Name with a long-form length inside it, re-signed",
        input(&with_device(&|tbs| tbs[3] = ber_name(&issuer_common_name))?),
        "BAD_CERTIFICATE",
    );
    f.err(
        "an empty extensions SEQUENCE (a3 02 30 00)",
        input(&with_device(&|tbs| tbs[7] = tlv(0xa3, &seq(&[])))?),
        "BAD_CERTIFICATE",
    );
    let mut serial = vec![0x00, 0x80];
    serial.extend([0x11; 19]);
    f.ok(
        "a serial of 20 value octets after its 00 sign octet",
        input(&with_device(&|tbs| tbs[1] = tlv(0x02, &serial))?),
    );
    let mut explicit_false = base.clone();
    explicit_false.extensions.push(X509Extension {
        oid: vec![0x55, 0x1d, 0x13],
        critical: true,
        value: seq(&[tlv(0x01, &[0x00])]),
    });
    let certificate = issue_certificate(&explicit_false, chip.public_key(), vendor.intermediate())?;
    f.err(
        "basicConstraints with cA FALSE encoded (DER omits the DEFAULT)",
        input(&bind(vec![certificate, vendor.intermediate_der.clone()])?),
        "BAD_CERTIFICATE",
    );
    // A carried CA whose key is not on the curve, re-signed by the root: the device under
    // it is refused when the certificates are read, not at its signature check.
    let off_curve = resign(&vendor.intermediate_der, &vendor.root_key, |tbs| {
        let mut spki = tbs[6].clone();
        if let Some(last) = spki.last_mut() {
            *last ^= 0x01;
        }
        tbs[6] = spki;
    })?;
    f.err(
        "a carried CA key that is not a P-256 point",
        input(&bind(vec![device.clone(), off_curve])?),
        "BAD_CERTIFICATE",
    );
    // The intermediate's signature value made a SET instead of a SEQUENCE: the binding signed
    // over it, then the same mutation after the binding was signed (an unsigned mutation).
    let mut broken_signature = vendor.intermediate_der.clone();
    let outer = elements(content_of(&vendor.intermediate_der));
    let signature_at = broken_signature.len() - outer[2].len() + 3;
    broken_signature[signature_at] = 0x31;
    f.err(
        "a carried certificate whose signature value is not an Ecdsa-Sig-Value",
        input(&bind(vec![device.clone(), broken_signature.clone()])?),
        "BAD_CERTIFICATE",
    );
    let signed_first = bind(vec![device.clone(), vendor.intermediate_der.clone()])?;
    let mutated = replace_once(&signed_first, &vendor.intermediate_der, &broken_signature);
    f.err(
        "the same mutation made after the binding was signed: step 2 before step 4",
        input(&mutated),
        "BAD_CERTIFICATE",
    );
    let mut critical_unknown = base.clone();
    critical_unknown.extensions.push(X509Extension {
        oid: private_oid(2),
        critical: true,
        value: vec![0x05, 0x00],
    });
    let certificate =
        issue_certificate(&critical_unknown, chip.public_key(), vendor.intermediate())?;
    let stranger = DeviceKey::from_seed(b"vector strict stranger")?;
    let signed_by_stranger = Signed::sign(
        binding_tbs(
            b"SN-1",
            "poci-test-accel-a1",
            vec![certificate, vendor.intermediate_der.clone()],
        )?,
        &stranger,
    )?
    .to_der()?;
    f.err(
        "an unknown critical extension is refused at step 2, before the binding's signature",
        input(&signed_by_stranger),
        "BAD_CERTIFICATE",
    );
    Ok(())
}

/// `haystack` with the first occurrence of `needle` replaced by `replacement` (same length).
pub(super) fn replace_once(haystack: &[u8], needle: &[u8], replacement: &[u8]) -> Vec<u8> {
    let mut out = haystack.to_vec();
    if let Some(at) = haystack
        .windows(needle.len())
        .position(|window| window == needle)
    {
        out[at..at + needle.len()].copy_from_slice(replacement);
    }
    out
}

/// Ambiguities A5, A6, A9, A11 of the Step 12 review, decided in SPEC.md 6.4 step 6f, 10
/// and 11, one vector each.
pub(super) fn decided_revocation(
    f: &mut FileBuilder,
    vendor: &TestVendor,
    valid: &[u8],
    context: &Value,
) -> Result<()> {
    let t = params()?.slot_start_unix(EPOCH, SLOT)?;
    let store_with_crl = |f: &mut FileBuilder, name: &str, crl: Vec<u8>| -> Result<()> {
        f.trust_store(
            name,
            store_spec(
                true,
                "deny",
                vendor_a_manifest(),
                vec![vendor_a_roots(vendor, &[vendor.root_crl_der.clone(), crl])?],
            ),
        );
        Ok(())
    };
    let input = |store: &str| json!({ "trust_store": store, "der": h(valid), "context": context });
    // A5: a CRL is current only while t < nextUpdate.
    store_with_crl(
        f,
        "crl-next-update-at-t",
        mint_crl(vendor.intermediate(), TEST_NOT_BEFORE, t, 2, &[])?,
    )?;
    store_with_crl(
        f,
        "crl-next-update-after-t",
        mint_crl(vendor.intermediate(), TEST_NOT_BEFORE, t + 1, 2, &[])?,
    )?;
    f.err(
        "the intermediate's CRL has nextUpdate exactly at the slot's start",
        input("crl-next-update-at-t"),
        "CRL_EXPIRED",
    );
    f.ok(
        "the intermediate's CRL has nextUpdate one second after the slot's start",
        input("crl-next-update-after-t"),
    );
    // A6: a v2 CRL without extensions serves; an issuingDistributionPoint is refused.
    let plain = resign(
        &vendor.intermediate_crl_der,
        &vendor.intermediate_key,
        |tbs| {
            tbs.retain(|element| element.first() != Some(&0xa0));
        },
    )?;
    f.group("trust_material_decided", "trust_store");
    let store_input = |spec: Value| json!({ "trust_store": spec });
    f.err(
        "a v2 CRL without extensions (RFC 5280 5.2 requires them)",
        store_input(store_spec(
            true,
            "deny",
            vendor_a_manifest(),
            vec![vendor_a_roots(
                vendor,
                &[vendor.root_crl_der.clone(), plain],
            )?],
        )),
        "BAD_CRL",
    );
    let partitioned = resign(
        &vendor.intermediate_crl_der,
        &vendor.intermediate_key,
        |tbs| {
            if let Some(extensions) = tbs
                .iter_mut()
                .find(|element| element.first() == Some(&0xa0))
            {
                let mut list = elements(content_of(content_of(extensions)));
                // issuingDistributionPoint { onlyContainsUserCerts TRUE }
                list.push(seq(&[
                    oid(&[0x55, 0x1d, 0x1c]),
                    octets(&seq(&[tlv(0x81, &[0xff])])),
                ]));
                *extensions = tlv(0xa0, &seq(&list));
            }
        },
    )?;
    f.err(
        "a CRL with an issuingDistributionPoint (onlyContainsUserCerts)",
        store_input(store_spec(
            true,
            "deny",
            vendor_a_manifest(),
            vec![vendor_a_roots(
                vendor,
                &[vendor.root_crl_der.clone(), partitioned],
            )?],
        )),
        "BAD_CRL",
    );
    // A11: no roots; a root that is not a certificate.
    f.err(
        "a vendor entry with no roots",
        store_input(store_spec(
            true,
            "deny",
            vendor_a_manifest(),
            vec![roots_entry("poci-test-a", "vendor", &[], &[])],
        )),
        "MANIFEST_INVALID",
    );
    f.err(
        "a root that does not parse as a certificate",
        store_input(store_spec(
            true,
            "deny",
            vendor_a_manifest(),
            vec![roots_entry(
                "poci-test-a",
                "vendor",
                &[pem_certificate(&[0x30, 0x03, 0x02, 0x01, 0x01])?],
                &[],
            )],
        )),
        "BAD_CERTIFICATE",
    );
    // A9: an issuer whose keyUsage lacks cRLSign cannot sign the CRL that would speak.
    f.group("revocation_decided", "verify_binding");
    let no_crl_sign = reissued_intermediate(
        vendor,
        vec![
            X509Extension::ca(Some(0))?,
            X509Extension::key_usage(KU_KEY_CERT_SIGN_BIT)?,
            X509Extension::subject_key_identifier(vendor.intermediate_key.public_key())?,
            X509Extension::authority_key_identifier(vendor.root_key.public_key())?,
        ],
    )?;
    let parsed = poci::ChipBinding::from_der(valid)?;
    let mut tbs = parsed.tbs.clone();
    tbs.certificates[1] = no_crl_sign;
    // The key of the bindings file's valid chip (`mint_chip` derives it from its seed).
    let chip = DeviceKey::from_seed(b"vector binding chip")?;
    let rebuilt = Signed::sign(tbs, &chip)?.to_der()?;
    f.err(
        "the intermediate's keyUsage lacks cRLSign, and its CRL is the one that speaks",
        json!({ "trust_store": "testnet", "der": h(&rebuilt), "context": context }),
        "BAD_CRL",
    );
    Ok(())
}

/// keyUsage keyCertSign alone, as `X509Extension::key_usage` takes it (first octet bits).
pub(super) const KU_KEY_CERT_SIGN_BIT: u8 = 0x04;

/// Certificates, CRLs and bindings built to fool the verifier (SECURITY.md): each must be
/// refused with its code.
pub(super) fn adversarial_bindings(
    f: &mut FileBuilder,
    vendor: &TestVendor,
    valid: &[u8],
    context: &Value,
) -> Result<()> {
    let input = |store: &str, der: &[u8]| json!({ "trust_store": store, "der": h(der), "context": context });
    let chip = DeviceKey::from_seed(b"vector adversarial chip")?;
    let bind = |certificates: Vec<Vec<u8>>, key: &DeviceKey| -> Result<Vec<u8>> {
        Signed::sign(
            binding_tbs(b"SN-1", "poci-test-accel-a1", certificates)?,
            key,
        )?
        .to_der()
    };
    let under_intermediate = |template: &CertificateTemplate| -> Result<Vec<u8>> {
        let certificate = issue_certificate(template, chip.public_key(), vendor.intermediate())?;
        bind(vec![certificate, vendor.intermediate_der.clone()], &chip)
    };
    let base = template(vendor, b"SN-1", "poci-test-accel-a1")?;
    let base_certificate = issue_certificate(&base, chip.public_key(), vendor.intermediate())?;
    let resigned = |edit: &dyn Fn(&mut Vec<Vec<u8>>)| -> Result<Vec<u8>> {
        let certificate = resign(&base_certificate, &vendor.intermediate_key, |tbs| edit(tbs))?;
        bind(vec![certificate, vendor.intermediate_der.clone()], &chip)
    };
    f.group("adversarial", "verify_binding");

    // The certificate profile (SPEC.md 10).
    let mut twice = base.clone();
    twice.extensions.push(X509Extension::key_usage_device()?);
    f.err(
        "device certificate with keyUsage twice",
        input("testnet", &under_intermediate(&twice)?),
        "BAD_CERTIFICATE",
    );
    let mut critical_unknown = base.clone();
    critical_unknown.extensions.push(X509Extension {
        oid: private_oid(1),
        critical: true,
        value: vec![0x05, 0x00],
    });
    f.err(
        "device certificate with an unknown critical extension",
        input("testnet", &under_intermediate(&critical_unknown)?),
        "BAD_CERTIFICATE",
    );
    let mut critical_identity = base.clone();
    critical_identity.extensions[2].critical = true;
    f.err(
        "chip identity extension marked critical",
        input("testnet", &under_intermediate(&critical_identity)?),
        "BAD_CERTIFICATE",
    );
    let mut crowded = base.clone();
    let room = poci::limits::MAX_CERTIFICATE_EXTENSIONS - crowded.extensions.len();
    for n in 0..=room {
        crowded.extensions.push(X509Extension {
            oid: private_oid(10 + n as u8),
            critical: false,
            value: vec![0x05, 0x00],
        });
    }
    f.err(
        "one extension more than MAX_CERTIFICATE_EXTENSIONS",
        input("testnet", &under_intermediate(&crowded)?),
        "BAD_CERTIFICATE",
    );
    f.err(
        "negative serial number",
        input("testnet", &resigned(&|tbs| tbs[1] = tlv(0x02, &[0x9c]))?),
        "BAD_CERTIFICATE",
    );
    f.err(
        "serial number of 21 octets",
        input(
            "testnet",
            &resigned(&|tbs| tbs[1] = tlv(0x02, &[0x01; 21]))?,
        ),
        "BAD_CERTIFICATE",
    );
    f.err(
        "serial number zero",
        input("testnet", &resigned(&|tbs| tbs[1] = tlv(0x02, &[0x00]))?),
        "BAD_CERTIFICATE",
    );
    f.err(
        "issuer unique identifier",
        input(
            "testnet",
            &resigned(&|tbs| tbs.insert(7, tlv(0x81, &[0x00, 0x01])))?,
        ),
        "BAD_CERTIFICATE",
    );
    f.err(
        "notAfter before notBefore",
        input(
            "testnet",
            &resigned(&|tbs| {
                let times = elements(content_of(&tbs[4]));
                tbs[4] = seq(&[times[1].clone(), times[0].clone()]);
            })?,
        ),
        "BAD_CERTIFICATE",
    );
    // ecdsa-with-SHA384 in the signed part.
    let sha384 = seq(&[oid(&[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x03])]);
    f.err(
        "signature algorithm other than ecdsa-with-SHA256",
        input("testnet", &resigned(&|tbs| tbs[2] = sha384.clone())?),
        "BAD_CERTIFICATE",
    );
    // Built by hand: the library will not encode it.
    let oversized = tlv(0x30, &vec![0u8; poci::limits::MAX_CERTIFICATE_LEN]);
    let with_oversized = hand_built_binding(&chip, seq(&[oversized]))?;
    f.err(
        "a carried certificate longer than MAX_CERTIFICATE_LEN",
        input("testnet", &with_oversized),
        "FIELD_TOO_LONG",
    );

    // The chain: path validation (SPEC.md 6.4 step 6).
    let ca_extensions = |issuer: &DeviceKey| -> Result<Vec<X509Extension>> {
        Ok(vec![
            X509Extension::ca(Some(0))?,
            X509Extension::key_usage_ca()?,
            X509Extension::subject_key_identifier(vendor.intermediate_key.public_key())?,
            X509Extension::authority_key_identifier(issuer.public_key())?,
        ])
    };
    let dns_constrained = {
        let mut extensions = ca_extensions(&vendor.root_key)?;
        // permittedSubtrees: dNSName chips.poci-test-a.example
        let subtree = seq(&[tlv(0x82, b"chips.poci-test-a.example")]);
        extensions.push(X509Extension {
            oid: vec![0x55, 0x1d, 0x1e],
            critical: true,
            value: seq(&[tlv(0xa0, &subtree)]),
        });
        reissued_intermediate(vendor, extensions)?
    };
    let mut named = base.clone();
    named.extensions.push(X509Extension {
        oid: vec![0x55, 0x1d, 0x11],
        critical: false,
        value: seq(&[tlv(0x82, b"chip.elsewhere.example")]),
    });
    let named_certificate = issue_certificate(&named, chip.public_key(), vendor.intermediate())?;
    f.err(
        "device name outside the intermediate's DNS name constraints",
        input(
            "testnet",
            &bind(vec![named_certificate, dns_constrained], &chip)?,
        ),
        "BAD_CERTIFICATE",
    );
    let directory_constrained = {
        let mut extensions = ca_extensions(&vendor.root_key)?;
        let subtree = seq(&[tlv(0xa4, &vendor.intermediate_name.to_der()?)]);
        extensions.push(X509Extension {
            oid: vec![0x55, 0x1d, 0x1e],
            critical: true,
            value: seq(&[tlv(0xa0, &subtree)]),
        });
        reissued_intermediate(vendor, extensions)?
    };
    f.err(
        "directoryName name constraints (not evaluated: refused whole)",
        input(
            "testnet",
            &bind(vec![base_certificate.clone(), directory_constrained], &chip)?,
        ),
        "BAD_CERTIFICATE",
    );
    let sub_key = DeviceKey::from_seed(b"vector sub CA")?;
    let sub_name = DistinguishedName {
        organization: "POCI Test Vendor A".into(),
        common_name: "Rogue Sub CA".into(),
    };
    let sub_ca = issue_certificate(
        &CertificateTemplate {
            serial: 13,
            subject: sub_name.clone(),
            not_before: TEST_NOT_BEFORE,
            not_after: TEST_DEVICE_NOT_AFTER,
            extensions: vec![
                X509Extension::ca(None)?,
                X509Extension::key_usage_ca()?,
                X509Extension::subject_key_identifier(sub_key.public_key())?,
                X509Extension::authority_key_identifier(vendor.intermediate_key.public_key())?,
            ],
        },
        sub_key.public_key(),
        vendor.intermediate(),
    )?;
    let mut below = base.clone();
    below.extensions = device_extensions(
        sub_key.public_key(),
        &identity("poci-test-accel-a1", b"SN-1"),
    )?;
    let below_sub = issue_certificate(
        &below,
        chip.public_key(),
        Issuer {
            name: &sub_name,
            key: &sub_key,
        },
    )?;
    f.err(
        "a CA below the pathLen 0 intermediate",
        input(
            "no-crls-allowed",
            &bind(
                vec![below_sub, sub_ca, vendor.intermediate_der.clone()],
                &chip,
            )?,
        ),
        "BAD_CERTIFICATE",
    );
    let not_a_ca = reissued_intermediate(
        vendor,
        vec![
            X509Extension::key_usage_ca()?,
            X509Extension::subject_key_identifier(vendor.intermediate_key.public_key())?,
            X509Extension::authority_key_identifier(vendor.root_key.public_key())?,
        ],
    )?;
    f.err(
        "intermediate without CA basic constraints",
        input(
            "testnet",
            &bind(vec![base_certificate.clone(), not_a_ca], &chip)?,
        ),
        "BAD_CERTIFICATE",
    );
    let server_only = {
        let mut extensions = ca_extensions(&vendor.root_key)?;
        extensions.push(X509Extension::ext_key_usage(&[&[
            0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x01,
        ]])?);
        reissued_intermediate(vendor, extensions)?
    };
    f.err(
        "intermediate whose EKU lacks device attestation",
        input(
            "testnet",
            &bind(vec![base_certificate.clone(), server_only], &chip)?,
        ),
        "WRONG_KEY_USAGE",
    );
    f.err(
        "the vendor root carried as the device certificate",
        input(
            "testnet",
            &bind(vec![vendor.root_der.clone()], &vendor.root_key)?,
        ),
        "BAD_CERTIFICATE",
    );

    // Revocation material that lies.
    let root_revokes_intermediate = mint_crl(
        vendor.root(),
        TEST_NOT_BEFORE,
        TEST_DEVICE_NOT_AFTER,
        2,
        &[2],
    )?;
    f.trust_store(
        "intermediate-revoked",
        store_spec(
            true,
            "deny",
            vendor_a_manifest(),
            vec![vendor_a_roots(
                vendor,
                &[
                    root_revokes_intermediate,
                    vendor.intermediate_crl_der.clone(),
                ],
            )?],
        ),
    );
    f.err(
        "the intermediate is on its root's CRL",
        input("intermediate-revoked", valid),
        "CERT_REVOKED",
    );
    let forger = DeviceKey::from_seed(b"vector CRL forger")?;
    let forged_crl = mint_crl(
        Issuer {
            name: &vendor.intermediate_name,
            key: &forger,
        },
        TEST_NOT_BEFORE,
        TEST_DEVICE_NOT_AFTER,
        2,
        &[],
    )?;
    f.trust_store(
        "forged-crl",
        store_spec(
            true,
            "deny",
            vendor_a_manifest(),
            vec![vendor_a_roots(
                vendor,
                &[vendor.root_crl_der.clone(), forged_crl],
            )?],
        ),
    );
    f.err(
        "the intermediate's CRL is signed by another key",
        input("forged-crl", valid),
        "CERT_SIGNATURE_INVALID",
    );

    // Three intermediates sharing one name, carried with a device of that name's issuer:
    // path building could try each ordering. A binding carries exactly its path, so this
    // is refused before any signature check (SPEC.md 6.4 step 6a).
    let maze = DistinguishedName {
        organization: "POCI Test Vendor A".into(),
        common_name: "Maze".into(),
    };
    let ca = |key: &DeviceKey, issuer: &DeviceKey, serial: u64| -> Result<Vec<u8>> {
        issue_certificate(
            &CertificateTemplate {
                serial,
                subject: maze.clone(),
                not_before: TEST_NOT_BEFORE,
                not_after: TEST_DEVICE_NOT_AFTER,
                extensions: vec![
                    X509Extension::ca(None)?,
                    X509Extension::key_usage_ca()?,
                    X509Extension::subject_key_identifier(key.public_key())?,
                    X509Extension::authority_key_identifier(issuer.public_key())?,
                ],
            },
            key.public_key(),
            Issuer {
                name: &maze,
                key: issuer,
            },
        )
    };
    let stranger = DeviceKey::from_seed(b"maze stranger")?;
    let mut maze_chain = vec![];
    let mut maze_device = base.clone();
    maze_device.extensions = device_extensions(
        stranger.public_key(),
        &identity("poci-test-accel-a1", b"SN-1"),
    )?;
    maze_chain.push(issue_certificate(
        &maze_device,
        chip.public_key(),
        Issuer {
            name: &maze,
            key: &stranger,
        },
    )?);
    for n in 0..3u8 {
        maze_chain.push(ca(
            &DeviceKey::from_seed(&[b'm', b'i', n])?,
            &stranger,
            200 + u64::from(n),
        )?);
    }
    f.err(
        "a chain built to make path building expensive",
        input("testnet", &bind(maze_chain, &chip)?),
        "CHAIN_NOT_A_PATH",
    );

    // The binding itself.
    let parsed = poci::ChipBinding::from_der(valid)?;
    let mut twin = parsed.clone();
    twin.signature = EcdsaSignature::from_der(&parsed.signature)?.twin().to_der();
    f.err(
        "the high-S twin of a valid binding",
        input("testnet", &twin.to_der()?),
        "SIGNATURE_HIGH_S",
    );
    let mut other = context.clone();
    other["params"]["network_id"] = json!("poci-othernet");
    f.err(
        "a binding for another network",
        json!({ "trust_store": "testnet", "der": h(valid), "context": other }),
        "WRONG_NETWORK",
    );
    let mut later = context.clone();
    later["slot"] = json!(SLOT + 1);
    f.err(
        "a binding replayed in a later slot",
        json!({ "trust_store": "testnet", "der": h(valid), "context": later }),
        "WRONG_SLOT",
    );
    let mut fresh = context.clone();
    fresh["challenge"] = json!(h(&challenge_at(EPOCH, SLOT + 1)?));
    f.err(
        "a binding that answers another challenge",
        json!({ "trust_store": "testnet", "der": h(valid), "context": fresh }),
        "CHALLENGE_MISMATCH",
    );
    Ok(())
}

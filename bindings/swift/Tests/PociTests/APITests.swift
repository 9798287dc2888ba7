import Foundation
import XCTest
import Poci

final class APITests: XCTestCase {
    let params = try! NetworkParams(networkId: "poci-testnet", genesisUnix: 1_767_225_600, epochSeconds: 3600, slotsPerEpoch: 120)

    func testSpecWorkedExamples() throws {
        let challenge = try deriveChallenge(params: params, epoch: 7, slot: 42, beacon: Data(repeating: 0x11, count: 32))
        XCTAssertEqual(challenge.hex, "ee4773517a7edb7fa03d395fcde63d9c93c969961e301f487304329811d453a1")
        let key = try DeviceKey.fromSeed(seed: Data("demo chip 1".utf8))
        XCTAssertEqual(key.keyId().hex, "c0045d98aedb01a214ae3122453bab42dc48cb4219770630d3b6f68a2db10df1")
    }

    func testHeartbeatAndErrors() throws {
        let key = try DeviceKey.fromSeed(seed: Data("chip".utf8))
        let challenge = try deriveChallenge(params: params, epoch: 7, slot: 42, beacon: Data(repeating: 1, count: 32))
        let wallet = Data("wallet-of-alice".utf8)
        let der = try key.signHeartbeat(fields: HeartbeatFields(networkId: "poci-testnet", wallet: wallet, epoch: 7, slot: 42,
                                                                 challenge: challenge, counter: 1, measurement: nil))
        let verifier = Verifier(trustStore: nil)
        let context = HeartbeatContext(networkId: "poci-testnet", epoch: 7, slot: 42, challenge: challenge, wallet: wallet)
        let verified = try verifier.verifyHeartbeat(der: der, publicKey: key.publicKey(), context: context)
        XCTAssertEqual(verified.heartbeat.counter, 1)
        let wrongSlot = HeartbeatContext(networkId: "poci-testnet", epoch: 7, slot: 43, challenge: challenge, wallet: wallet)
        XCTAssertThrowsError(try verifier.verifyHeartbeat(der: der, publicKey: key.publicKey(), context: wrongSlot)) { error in
            guard case let PociError.Policy(code, _) = error else { return XCTFail("expected a policy error") }
            XCTAssertEqual(code, "WRONG_SLOT")
        }
        XCTAssertThrowsError(try settleLease(price: "1", leaseSlots: "0", provenSlots: "0")) { error in
            XCTAssertEqual(code(of: error), "LEASE_OUT_OF_BOUNDS")
        }
    }

    func testPublicKeyFromADeviceCertificate() throws {
        let vendor = try TestVendor(vendorId: "poci-test-a", organization: "POCI Test Vendor A")
        let chip = try vendor.mintChip(seed: Data("wallet chip".utf8), modelId: "poci-test-accel-a1", serial: Data("s-1".utf8))
        let key = try PublicKey.fromCertificate(certificate: chip.certificate)
        XCTAssertEqual(key.sec1(), chip.key.publicKey().sec1())
        let base64 = chip.certificate.base64EncodedString(options: [.lineLength64Characters, .endLineWithLineFeed])
        let pem = Data("-----BEGIN CERTIFICATE-----\n\(base64)\n-----END CERTIFICATE-----\n".utf8)
        XCTAssertEqual(try PublicKey.fromCertificate(certificate: pem).keyId(), chip.key.keyId())
        XCTAssertThrowsError(try PublicKey.fromCertificate(certificate: vendor.intermediateDer())) { error in
            XCTAssertEqual(code(of: error), "BAD_CERTIFICATE")
        }
    }

    func testAmountsAreExactDecimalStrings() throws {
        let amounts = try splitEmission(emission: "340282366920938463463374607431768211455", minersBps: 9700,
                                        pools: [NamedPool(name: "dao", bps: 300)])
        XCTAssertEqual(amounts.pools[0].amount, "10208471007628153903901238222953046343")
        XCTAssertEqual(amounts.miners, "330073895913310309559473369208815165112")
    }
}

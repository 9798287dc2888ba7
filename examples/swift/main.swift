// A small wallet: reads an epoch report (SPEC.md 15.6 JSON, as a node publishes it) and shows
// this wallet's reward, then verifies a heartbeat of one of its chips.
// `swift run poci-wallet [report.json]`; without a file it asks the library for the report
// of a small simulated epoch. Amounts stay decimal strings: Swift has no UInt128.
import Foundation
import Poci

let myWallet = Data("wallet-of-alice".utf8)
let params = try NetworkParams(networkId: "poci-testnet", genesisUnix: 1_767_225_600, epochSeconds: 3600, slotsPerEpoch: 120)

func simulatedReport() throws -> String {
    let schedule = try EmissionSchedule.fromJson(text: #"{"kind":"halving","base_per_epoch":"50000000000000000000000000","epochs_per_era":"17520","cap":"21000000000000000000000000000000"}"#)
    let chips = [
        Availability(keyId: Data(repeating: 1, count: 32), wallet: myWallet, ratingMilliCu: 989_500, provenSlots: 120),
        Availability(keyId: Data(repeating: 2, count: 32), wallet: Data("wallet-of-bob".utf8), ratingMilliCu: 165_200, provenSlots: 120),
    ]
    return try epochReportJson(epoch: 8, schedule: schedule, availability: chips, slotsPerEpoch: 120, minAvailabilityBps: 0)
}

let text = CommandLine.arguments.count > 1
    ? try String(contentsOfFile: CommandLine.arguments[1], encoding: .utf8)
    : try simulatedReport()
let report = try JSONSerialization.jsonObject(with: Data(text.utf8)) as! [String: Any]
let miners = report["miners"] as! [String: Any]
let walletHex = myWallet.map { String(format: "%02x", $0) }.joined()
let mine = (miners["wallets"] as! [[String: String]]).first { $0["wallet"] == walletHex }
print("epoch \(report["epoch"]!): wallet-of-alice earned \(mine?["reward"] ?? "0") base units")

let key = try DeviceKey.fromSeed(seed: Data("alice chip".utf8))
let challenge = try deriveChallenge(params: params, epoch: 9, slot: 0, beacon: Data(repeating: 9, count: 32))
let der = try key.signHeartbeat(fields: HeartbeatFields(networkId: "poci-testnet", wallet: myWallet, epoch: 9, slot: 0,
                                                         challenge: challenge, counter: 1, measurement: nil))
let verified = try Verifier(trustStore: nil).verifyHeartbeat(
    der: der, publicKey: key.publicKey(),
    context: HeartbeatContext(networkId: "poci-testnet", epoch: 9, slot: 0, challenge: challenge, wallet: myWallet))
print("heartbeat verified, counter \(verified.heartbeat.counter)")

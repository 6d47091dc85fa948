// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Test} from "forge-std/Test.sol";
import {Vm} from "forge-std/Vm.sol";
import {Origin} from "@layerzerolabs/lz-evm-oapp-v2/contracts/oapp/OApp.sol";

import {ClearingHub} from "../../src/ClearingHub.sol";
import {CollateralVault} from "../../src/CollateralVault.sol";
import {DemoToken} from "../../src/DemoToken.sol";
import {IClearingHub} from "../../src/interfaces/IClearingHub.sol";
import {OmniCodec} from "../../src/libraries/OmniCodec.sol";
import {OmniFixture} from "../utils/OmniFixture.sol";

/// @notice Drives the hub and a vault through their real endpoints (TestHelperOz5 delivers every packet) with
/// deposits, liquidation orders, replays of executed orders, orders from non-peers and duplicated hub messages.
contract VaultHandler is Test {
    uint32 internal constant HUB_EID = 1;
    uint32 internal constant B_EID = 2;

    VaultInvariantsTest internal immutable suite;
    ClearingHub internal immutable hub;
    CollateralVault internal immutable vault;
    DemoToken internal immutable usdc;
    address internal immutable operator;
    address internal immutable vaultEndpoint;
    address internal immutable hubEndpoint;

    address[3] public actors = [makeAddr("actor0"), makeAddr("actor1"), makeAddr("actor2")];
    address[2] public recipients = [makeAddr("recipient0"), makeAddr("recipient1")];

    uint256 public ghostDeposited;
    uint256 public ghostSeized;
    uint256 public ghostCapRefusals;
    uint256 public ghostDoubleExecutions;
    uint256 public ghostNonPeerAccepted;
    uint256 public ghostDuplicatesPublished;
    bytes32[] public executedOrders;
    mapping(bytes32 => bytes) internal _orderPayload;
    uint256 internal _nextOrder;

    constructor(VaultInvariantsTest suite_, ClearingHub hub_, CollateralVault vault_, DemoToken usdc_, address op) {
        suite = suite_;
        hub = hub_;
        vault = vault_;
        usdc = usdc_;
        operator = op;
        vaultEndpoint = address(vault_.endpoint());
        hubEndpoint = address(hub_.endpoint());
    }

    function executedCount() external view returns (uint256) {
        return executedOrders.length;
    }

    /// @notice `from` deposits `amount` for itself or for another actor; the hub receives the balance.
    function deposit(uint256 fromSeed, uint256 forSeed, uint256 amount) external {
        address from = actors[fromSeed % actors.length];
        address account = actors[forSeed % actors.length];
        amount = bound(amount, 1, 2_000_000e6);
        usdc.mint(from, amount);
        vm.prank(from);
        usdc.approve(address(vault), amount);
        uint256 fee = vault.quoteDeposit(account, address(usdc), amount).nativeFee;
        vm.deal(from, fee);

        uint256 total = vault.totalDeposits(address(usdc)) + amount;
        uint256 balance = vault.balanceOf(account, address(usdc)) + amount;
        bool fits = total <= vault.depositCap(address(usdc)) && balance <= vault.accountCap(address(usdc));

        vm.prank(from);
        try vault.depositFor{value: fee}(account, address(usdc), amount) {
            assertTrue(fits, "a deposit above a cap was accepted");
            ghostDeposited += amount;
            suite.verifyPackets(HUB_EID, address(hub));
        } catch {
            assertFalse(fits, "a deposit within the caps was refused");
            ++ghostCapRefusals;
        }
    }

    /// @notice The operator dispatches a fresh liquidation order; the vault executes it and the hub gets the ack.
    function liquidate(uint256 accountSeed, uint256 amount, uint256 recipientSeed) external {
        address account = actors[accountSeed % actors.length];
        address recipient = recipients[recipientSeed % recipients.length];
        uint256 balance = vault.balanceOf(account, address(usdc));
        amount = bound(amount, 0, balance * 2 + 1);
        bytes32 orderId = keccak256(abi.encode("order", _nextOrder++));

        uint256 fee = hub.quoteLiquidation(B_EID, orderId, account, address(usdc), amount, recipient).nativeFee;
        vm.deal(operator, fee);
        vm.prank(operator);
        hub.dispatchLiquidation{value: fee}(B_EID, orderId, account, address(usdc), amount, recipient);
        suite.verifyPackets(B_EID, address(vault));
        suite.verifyPackets(HUB_EID, address(hub));

        assertTrue(vault.executed(orderId));
        ghostSeized += amount < balance ? amount : balance;
        executedOrders.push(orderId);
        _orderPayload[orderId] = OmniCodec.encodeLiquidate(
            OmniCodec.Liquidate({
                orderId: orderId, account: account, token: address(usdc), amount: amount, recipient: recipient
            })
        );
    }

    /// @notice Hands an executed order to the vault again, as its endpoint would: it must be refused.
    function replayOrder(uint256 index, uint64 nonce) external {
        if (executedOrders.length == 0) return;
        bytes32 orderId = executedOrders[index % executedOrders.length];
        vm.prank(vaultEndpoint);
        try vault.lzReceive(
            Origin(HUB_EID, bytes32(uint256(uint160(address(hub)))), nonce),
            bytes32(0),
            _orderPayload[orderId],
            address(0),
            ""
        ) {
            ++ghostDoubleExecutions;
        } catch {}
    }

    /// @notice A fresh order from a sender that is not the vault's peer (on the hub's eid or another): refused.
    function nonPeerOrder(uint256 accountSeed, uint256 amount, address rogue, bool otherEid) external {
        if (rogue == address(hub)) return;
        address account = actors[accountSeed % actors.length];
        bytes memory order = OmniCodec.encodeLiquidate(
            OmniCodec.Liquidate({
                orderId: keccak256(abi.encode("rogue", _nextOrder++)),
                account: account,
                token: address(usdc),
                amount: amount,
                recipient: rogue
            })
        );
        vm.prank(vaultEndpoint);
        try vault.lzReceive(
            Origin(otherEid ? 99 : HUB_EID, bytes32(uint256(uint160(rogue))), 1), bytes32(0), order, address(0), ""
        ) {
            ++ghostNonPeerAccepted;
        } catch {}
    }

    /// @notice Re-delivers to the hub a vault message whose seq it already accepted: no second MessageReceived.
    function duplicateToHub(uint64 seqSeed, uint64 nonce) external {
        uint64 last = hub.lastSeq(B_EID);
        if (last == 0) return;
        uint64 s = (seqSeed % last) + 1;
        bytes memory payload = abi.encode(uint8(1), uint8(1), actors[0], address(usdc), uint256(1), int256(1), s);
        vm.recordLogs();
        vm.prank(hubEndpoint);
        hub.lzReceive(
            Origin(B_EID, bytes32(uint256(uint160(address(vault)))), nonce), bytes32(0), payload, address(0), ""
        );
        Vm.Log[] memory logs = vm.getRecordedLogs();
        for (uint256 i; i < logs.length; ++i) {
            if (logs[i].topics[0] == IClearingHub.MessageReceived.selector) ++ghostDuplicatesPublished;
        }
    }
}

/// @notice Invariants of one vault (and its hub) under the handler's random sequences of actions.
contract VaultInvariantsTest is OmniFixture {
    VaultHandler internal handler;

    function setUp() public override {
        super.setUp();
        vaultB.setCaps(address(usdc), 20_000_000e6, 8_000_000e6);
        vm.deal(address(vaultB), 1_000_000 ether); // the ack reserve
        handler = new VaultHandler(this, hub, vaultB, usdc, operator);

        bytes4[] memory selectors = new bytes4[](5);
        selectors[0] = VaultHandler.deposit.selector;
        selectors[1] = VaultHandler.liquidate.selector;
        selectors[2] = VaultHandler.replayOrder.selector;
        selectors[3] = VaultHandler.nonPeerOrder.selector;
        selectors[4] = VaultHandler.duplicateToHub.selector;
        targetSelector(FuzzSelector({addr: address(handler), selectors: selectors}));
        targetContract(address(handler));
    }

    /// @dev One campaign checks every property after each call (a campaign per property would cost 5× the time).
    function invariant_vaultAndHub() public view {
        _tokenBalanceEqualsTheSumOfAccountBalances();
        _valueLeavesOnlyByLiquidation();
        _ordersExecuteOnceAndOnlyFromThePeer();
        _hubTracksTheVaultSequence();
        _capsHold();
    }

    /// @dev Each run of 100 calls must have moved value both ways (guards against a handler that silently no-ops).
    function afterInvariant() public view {
        assertGt(handler.ghostDeposited(), 0, "no deposit in this run");
        assertGt(handler.executedCount(), 0, "no liquidation in this run");
    }

    /// @dev The vault holds exactly what it owes: its token balance equals the sum of the account balances.
    function _tokenBalanceEqualsTheSumOfAccountBalances() internal view {
        uint256 sum;
        for (uint256 i; i < 3; ++i) {
            sum += vaultB.balanceOf(handler.actors(i), address(usdc));
        }
        assertEq(usdc.balanceOf(address(vaultB)), sum);
        assertEq(vaultB.totalDeposits(address(usdc)), sum);
    }

    /// @dev No value leaves the vault except by an executed liquidation, and liquidations pay only the recipients.
    function _valueLeavesOnlyByLiquidation() internal view {
        assertEq(usdc.balanceOf(address(vaultB)), handler.ghostDeposited() - handler.ghostSeized());
        uint256 paid = usdc.balanceOf(handler.recipients(0)) + usdc.balanceOf(handler.recipients(1));
        assertEq(paid, handler.ghostSeized());
    }

    /// @dev Each order id executes at most once; a non-peer's order changes nothing.
    function _ordersExecuteOnceAndOnlyFromThePeer() internal view {
        assertEq(handler.ghostDoubleExecutions(), 0);
        assertEq(handler.ghostNonPeerAccepted(), 0);
    }

    /// @dev The hub has accepted every vault message exactly once, and published no duplicate.
    function _hubTracksTheVaultSequence() internal view {
        assertEq(hub.lastSeq(B_EID), vaultB.seq());
        assertEq(handler.ghostDuplicatesPublished(), 0);
    }

    /// @dev The caps hold.
    function _capsHold() internal view {
        assertLe(vaultB.totalDeposits(address(usdc)), vaultB.depositCap(address(usdc)));
        for (uint256 i; i < 3; ++i) {
            assertLe(vaultB.balanceOf(handler.actors(i), address(usdc)), vaultB.accountCap(address(usdc)));
        }
    }
}

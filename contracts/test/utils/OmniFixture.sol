// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {TestHelperOz5} from "@layerzerolabs/test-devtools-evm-foundry/contracts/TestHelperOz5.sol";
import {EnforcedOptionParam} from "@layerzerolabs/lz-evm-oapp-v2/contracts/oapp/interfaces/IOAppOptionsType3.sol";
import {OptionsBuilder} from "@layerzerolabs/lz-evm-oapp-v2/contracts/oapp/libs/OptionsBuilder.sol";
import {Vm} from "forge-std/Vm.sol";

import {ClearingHub} from "../../src/ClearingHub.sol";
import {CollateralVault} from "../../src/CollateralVault.sol";
import {DemoToken} from "../../src/DemoToken.sol";
import {IClearingHub} from "../../src/interfaces/IClearingHub.sol";
import {OmniCodec} from "../../src/libraries/OmniCodec.sol";
import {OrderSigning} from "./OrderSigning.sol";

/// @notice Hub (eid 1) + vault B (eid 2, USDC) + vault C (eid 3, WETH) on real EndpointV2s (TestHelperOz5). The hub's
/// clearing signer set is 2-of-3 (`signerKeys`, ascending by address); orders are submitted by `relayer`.
abstract contract OmniFixture is TestHelperOz5 {
    using OptionsBuilder for bytes;

    uint32 internal constant HUB_EID = 1;
    uint32 internal constant B_EID = 2;
    uint32 internal constant C_EID = 3;
    /// @dev TestHelperOz5 records every sent packet in test storage from inside the send (~340k gas a real chain does
    /// not spend), so a vault's reply needs that much more executor gas here than the defaults.
    uint128 internal constant TEST_HELPER_SEND_OVERHEAD = 400_000;
    bytes32 internal constant ETH_PERP = "ETH-PERP";
    uint8 internal constant THRESHOLD = 2;
    /// @dev How long the fixture's orders stay valid.
    uint64 internal constant ORDER_TTL = 1 hours;

    ClearingHub internal hub;
    CollateralVault internal vaultB;
    CollateralVault internal vaultC;
    DemoToken internal usdc;
    DemoToken internal weth;

    /// @dev The registered signers' keys, in ascending order of address.
    uint256[] internal signerKeys;
    address[] internal signerAddrs;
    /// @dev A key that is not registered.
    uint256 internal outsiderKey;

    address internal relayer = makeAddr("relayer");
    address internal alice = makeAddr("alice");
    address internal bob = makeAddr("bob");
    address internal liquidator = makeAddr("liquidator");
    address internal guardian = makeAddr("guardian");
    address internal insurance = makeAddr("insurance");

    function setUp() public virtual override {
        super.setUp();
        setUpEndpoints(3, LibraryType.UltraLightNode);

        uint256[] memory keys = new uint256[](3);
        for (uint256 i; i < 3; ++i) {
            (, keys[i]) = makeAddrAndKey(string.concat("signer", vm.toString(i)));
        }
        signerKeys = OrderSigning.sortByAddress(keys);
        for (uint256 i; i < 3; ++i) {
            signerAddrs.push(vm.addr(signerKeys[i]));
        }
        (, outsiderKey) = makeAddrAndKey("outsider");

        hub = new ClearingHub(endpoints[HUB_EID], address(this), signerAddrs, THRESHOLD);
        vaultB = new CollateralVault(endpoints[B_EID], address(this), HUB_EID, insurance);
        vaultC = new CollateralVault(endpoints[C_EID], address(this), HUB_EID, insurance);
        hub.setPeer(B_EID, _b32(address(vaultB)));
        hub.setPeer(C_EID, _b32(address(vaultC)));
        vaultB.setPeer(HUB_EID, _b32(address(hub)));
        vaultC.setPeer(HUB_EID, _b32(address(hub)));

        EnforcedOptionParam[] memory params = new EnforcedOptionParam[](4);
        bytes memory liquidate = OptionsBuilder.newOptions()
            .addExecutorLzReceiveOption(hub.DEFAULT_LIQUIDATE_GAS() + TEST_HELPER_SEND_OVERHEAD, 0);
        bytes memory decide = OptionsBuilder.newOptions()
            .addExecutorLzReceiveOption(hub.DEFAULT_WITHDRAW_DECISION_GAS() + TEST_HELPER_SEND_OVERHEAD, 0);
        params[0] = EnforcedOptionParam({eid: B_EID, msgType: OmniCodec.LIQUIDATE, options: liquidate});
        params[1] = EnforcedOptionParam({eid: C_EID, msgType: OmniCodec.LIQUIDATE, options: liquidate});
        params[2] = EnforcedOptionParam({eid: B_EID, msgType: OmniCodec.WITHDRAW_DECISION, options: decide});
        params[3] = EnforcedOptionParam({eid: C_EID, msgType: OmniCodec.WITHDRAW_DECISION, options: decide});
        hub.setEnforcedOptions(params);

        usdc = new DemoToken("USD Coin", "USDC", 6);
        weth = new DemoToken("Wrapped Ether", "WETH", 18);
        vaultB.setCollateral(address(usdc), true);
        vaultC.setCollateral(address(weth), true);
        vaultB.setGuardian(guardian);

        address[2] memory users = [alice, bob];
        for (uint256 i; i < users.length; ++i) {
            usdc.mint(users[i], 1_000_000e6);
            weth.mint(users[i], 1000 ether);
            vm.startPrank(users[i]);
            usdc.approve(address(vaultB), type(uint256).max);
            weth.approve(address(vaultC), type(uint256).max);
            vm.stopPrank();
            vm.deal(users[i], 10 ether);
        }
        vm.deal(relayer, 10 ether);
    }

    function _depositAs(address from, address account, uint256 amount) internal {
        uint256 fee = vaultB.quoteDeposit(account, address(usdc), amount).nativeFee;
        vm.prank(from);
        if (from == account) vaultB.deposit{value: fee}(address(usdc), amount);
        else vaultB.depositFor{value: fee}(account, address(usdc), amount);
    }

    function _fundAckReserve() internal {
        vm.deal(address(vaultB), address(vaultB).balance + 1 ether);
    }

    /// @dev `account` asks vault B to withdraw `amount` of USDC; returns the request id.
    function _requestAs(address account, uint256 amount) internal returns (uint64) {
        uint256 fee = vaultB.quoteWithdrawalRequest(account, address(usdc), amount).nativeFee;
        vm.prank(account);
        return vaultB.requestWithdrawal{value: fee}(address(usdc), amount);
    }

    /// @dev The relayer dispatches a 2-of-3 signed decision for vault B (order id from the spec formula, `inputSeq` =
    /// requestId).
    function _decide(address account, uint256 amount, uint64 requestId, bool approved) internal returns (bytes32 id) {
        id = OmniCodec.withdrawDecisionOrderId(B_EID, account, address(usdc), amount, requestId);
        _sendDecision(_decisionOrder(B_EID, id, account, address(usdc), amount, requestId, approved));
    }

    /// @dev The relayer dispatches a 2-of-3 signed liquidation on vault B.
    function _liquidate(bytes32 orderId, address account, uint256 amount, uint256 insuranceAmount) internal {
        _sendLiquidation(_liquidationOrder(B_EID, orderId, account, address(usdc), amount, liquidator, insuranceAmount));
    }

    /// @dev A liquidation order valid for `ORDER_TTL`.
    function _liquidationOrder(
        uint32 dstEid,
        bytes32 orderId,
        address account,
        address token,
        uint256 amount,
        address recipient,
        uint256 insuranceAmount
    ) internal view returns (IClearingHub.LiquidationOrder memory) {
        IClearingHub.LiquidationOrder memory o;
        o.dstEid = dstEid;
        o.orderId = orderId;
        o.account = account;
        o.token = token;
        o.amount = amount;
        o.recipient = recipient;
        o.insuranceAmount = insuranceAmount;
        o.expiry = uint64(block.timestamp) + ORDER_TTL;
        return o;
    }

    /// @dev A withdrawal decision valid for `ORDER_TTL`.
    function _decisionOrder(
        uint32 dstEid,
        bytes32 orderId,
        address account,
        address token,
        uint256 amount,
        uint64 requestId,
        bool approved
    ) internal view returns (IClearingHub.WithdrawDecisionOrder memory) {
        IClearingHub.WithdrawDecisionOrder memory o;
        o.dstEid = dstEid;
        o.orderId = orderId;
        o.account = account;
        o.token = token;
        o.amount = amount;
        o.requestId = requestId;
        o.approved = approved;
        o.expiry = uint64(block.timestamp) + ORDER_TTL;
        return o;
    }

    /// @dev Signatures of `digest` by the first `THRESHOLD` registered signers, ascending.
    function _sign(bytes32 digest) internal view returns (bytes[] memory) {
        return OrderSigning.sign(digest, OrderSigning.take(signerKeys, THRESHOLD));
    }

    /// @dev The relayer dispatches a liquidation signed by `THRESHOLD` signers, paying the quote.
    function _sendLiquidation(IClearingHub.LiquidationOrder memory o) internal returns (bytes32 guid) {
        bytes[] memory sigs = _sign(hub.hashLiquidation(o));
        uint256 fee = hub.quoteLiquidation(o).nativeFee;
        vm.prank(relayer);
        guid = hub.dispatchLiquidation{value: fee}(o, sigs);
    }

    /// @dev The relayer dispatches a decision signed by `THRESHOLD` signers, paying the quote.
    function _sendDecision(IClearingHub.WithdrawDecisionOrder memory o) internal returns (bytes32 guid) {
        bytes[] memory sigs = _sign(hub.hashWithdrawDecision(o));
        uint256 fee = hub.quoteWithdrawDecision(o).nativeFee;
        vm.prank(relayer);
        guid = hub.dispatchWithdrawDecision{value: fee}(o, sigs);
    }

    /// @dev Delivers every pending hub → vault B packet.
    function _deliverToVault() internal {
        this.verifyPackets(B_EID, _b32(address(vaultB)));
    }

    /// @dev Delivers the oldest pending packet from vault B to the hub.
    function _deliverToHub() internal {
        this.verifyPackets(HUB_EID, _b32(address(hub)), 1, address(0), "");
    }

    /// @dev Delivers the oldest pending packet to the hub, expecting one `MessageReceived` from B with `payload`.
    function _expectHub(uint8 msgType, bytes memory payload) internal {
        vm.recordLogs();
        _deliverToHub();
        Vm.Log[] memory logs = vm.getRecordedLogs();
        uint256 found;
        for (uint256 i; i < logs.length; ++i) {
            if (logs[i].emitter != address(hub) || logs[i].topics[0] != IClearingHub.MessageReceived.selector) {
                continue;
            }
            assertEq(logs[i].topics[1], bytes32(uint256(B_EID)));
            (, uint8 t, bytes memory p) = abi.decode(logs[i].data, (uint64, uint8, bytes));
            assertEq(t, msgType);
            assertEq(p, payload);
            ++found;
        }
        assertEq(found, 1, "expected one MessageReceived");
    }

    function _b32(address a) internal pure returns (bytes32) {
        return bytes32(uint256(uint160(a)));
    }
}

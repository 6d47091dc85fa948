// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {TestHelperOz5} from "@layerzerolabs/test-devtools-evm-foundry/contracts/TestHelperOz5.sol";
import {Origin, MessagingFee} from "@layerzerolabs/lz-evm-oapp-v2/contracts/oapp/OApp.sol";
import {IOAppCore} from "@layerzerolabs/lz-evm-oapp-v2/contracts/oapp/interfaces/IOAppCore.sol";
import {EnforcedOptionParam} from "@layerzerolabs/lz-evm-oapp-v2/contracts/oapp/interfaces/IOAppOptionsType3.sol";
import {OptionsBuilder} from "@layerzerolabs/lz-evm-oapp-v2/contracts/oapp/libs/OptionsBuilder.sol";
import {GUID} from "@layerzerolabs/lz-evm-protocol-v2/contracts/libs/GUID.sol";
import {Errors} from "@layerzerolabs/lz-evm-protocol-v2/contracts/libs/Errors.sol";
import {ILayerZeroEndpointV2} from "@layerzerolabs/lz-evm-protocol-v2/contracts/interfaces/ILayerZeroEndpointV2.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {Vm} from "forge-std/Vm.sol";

import {ClearingHub} from "../src/ClearingHub.sol";
import {CollateralVault} from "../src/CollateralVault.sol";
import {DemoToken} from "../src/DemoToken.sol";
import {IClearingHub} from "../src/interfaces/IClearingHub.sol";
import {ICollateralVault} from "../src/interfaces/ICollateralVault.sol";
import {OmniCodec} from "../src/libraries/OmniCodec.sol";
import {FeeOnTransferToken} from "./utils/FeeOnTransferToken.sol";
import {OrderSigning} from "./utils/OrderSigning.sol";

/// @notice Hub + two vaults on three real EndpointV2s (LayerZero's TestHelperOz5, UltraLightNode libraries). Orders are
/// signed 2-of-3 by the hub's clearing signers and submitted by a relayer.
contract CrossChainTest is TestHelperOz5 {
    using OptionsBuilder for bytes;

    uint32 internal constant HUB_EID = 1;
    uint32 internal constant B_EID = 2;
    uint32 internal constant C_EID = 3;
    uint128 internal constant TEST_HELPER_SEND_OVERHEAD = 400_000;

    ClearingHub internal hub;
    CollateralVault internal vaultB;
    CollateralVault internal vaultC;
    DemoToken internal usdc;
    DemoToken internal weth;

    uint256[] internal signerKeys;
    address internal relayer = makeAddr("relayer");
    address internal alice = makeAddr("alice");
    address internal liquidator = makeAddr("liquidator");
    address internal perpDex = makeAddr("perpDex");
    address internal insurance = makeAddr("insurance");
    bytes32 internal constant ETH_PERP = "ETH-PERP";

    function setUp() public override {
        super.setUp();
        setUpEndpoints(3, LibraryType.UltraLightNode);

        uint256[] memory keys = new uint256[](3);
        for (uint256 i; i < 3; ++i) {
            (, keys[i]) = makeAddrAndKey(string.concat("signer", vm.toString(i)));
        }
        signerKeys = OrderSigning.sortByAddress(keys);
        address[] memory signers = new address[](3);
        for (uint256 i; i < 3; ++i) {
            signers[i] = vm.addr(signerKeys[i]);
        }
        hub = new ClearingHub(endpoints[HUB_EID], address(this), signers, 2);
        vaultB = new CollateralVault(endpoints[B_EID], address(this), HUB_EID, insurance);
        vaultC = new CollateralVault(endpoints[C_EID], address(this), HUB_EID, insurance);

        hub.setPeer(B_EID, _b32(address(vaultB)));
        hub.setPeer(C_EID, _b32(address(vaultC)));
        vaultB.setPeer(HUB_EID, _b32(address(hub)));
        vaultC.setPeer(HUB_EID, _b32(address(hub)));

        // TestHelperOz5 stores every sent packet in test storage from inside the send (~340k gas a real chain does
        // not spend), so the vault's ack send needs that much more executor gas here than the default.
        EnforcedOptionParam[] memory params = new EnforcedOptionParam[](2);
        bytes memory liquidateOptions = OptionsBuilder.newOptions()
            .addExecutorLzReceiveOption(hub.DEFAULT_LIQUIDATE_GAS() + TEST_HELPER_SEND_OVERHEAD, 0);
        params[0] = EnforcedOptionParam({eid: B_EID, msgType: OmniCodec.LIQUIDATE, options: liquidateOptions});
        params[1] = EnforcedOptionParam({eid: C_EID, msgType: OmniCodec.LIQUIDATE, options: liquidateOptions});
        hub.setEnforcedOptions(params);

        usdc = new DemoToken("USD Coin", "USDC", 6);
        weth = new DemoToken("Wrapped Ether", "WETH", 18);
        vaultB.setCollateral(address(usdc), true);
        vaultC.setCollateral(address(weth), true);
        vaultB.setIntegrator(perpDex, true);
        vm.prank(alice);
        vaultB.approveIntegrator(perpDex, true);

        usdc.mint(alice, 1_000_000e6);
        weth.mint(alice, 100 ether);
        vm.prank(alice);
        usdc.approve(address(vaultB), type(uint256).max);
        vm.prank(alice);
        weth.approve(address(vaultC), type(uint256).max);

        vm.deal(alice, 10 ether);
        vm.deal(relayer, 10 ether);
        vm.deal(perpDex, 10 ether);
    }

    // ------------------------------------------------------------------ deposits

    function test_deposit_reportsTheNewBalanceToTheHub() public {
        uint256 fee = vaultB.quoteDeposit(alice, address(usdc), 500e6).nativeFee;
        assertGt(fee, 0);

        vm.expectEmit(address(vaultB));
        emit ICollateralVault.Deposited(alice, address(usdc), 500e6, 500e6, 1);
        vm.prank(alice);
        vaultB.deposit{value: fee}(address(usdc), 500e6);

        assertEq(vaultB.balanceOf(alice, address(usdc)), 500e6);
        assertEq(usdc.balanceOf(address(vaultB)), 500e6);
        assertEq(vaultB.seq(), 1);

        bytes memory expected =
            abi.encode(uint8(1), uint8(1), alice, address(usdc), uint256(500e6), int256(500e6), uint64(1));
        _expectHubReceives(B_EID, address(vaultB), 1, OmniCodec.BALANCE, expected);
    }

    function test_deposits_onTwoVaults_eachCarryTheirOwnSequence() public {
        _deposit(vaultB, usdc, 100e6);
        _deposit(vaultB, usdc, 50e6);
        _deposit(vaultC, weth, 2 ether);

        _expectHubReceives(
            B_EID,
            address(vaultB),
            1,
            1,
            abi.encode(uint8(1), uint8(1), alice, address(usdc), 100e6, int256(100e6), uint64(1))
        );
        // the hub consumes packets per path in order; deliver the second one separately
        _expectHubReceives(
            B_EID,
            address(vaultB),
            2,
            1,
            abi.encode(uint8(1), uint8(1), alice, address(usdc), 150e6, int256(50e6), uint64(2))
        );
        _expectHubReceives(
            C_EID,
            address(vaultC),
            1,
            1,
            abi.encode(uint8(1), uint8(1), alice, address(weth), 2 ether, int256(2 ether), uint64(1))
        );
    }

    function test_deposit_refundsTheExcessFee() public {
        uint256 fee = vaultB.quoteDeposit(alice, address(usdc), 1e6).nativeFee;
        uint256 before = alice.balance;
        vm.prank(alice);
        vaultB.deposit{value: fee + 1 ether}(address(usdc), 1e6);
        assertEq(alice.balance, before - fee);
    }

    function test_deposit_creditsWhatTheVaultReallyReceived() public {
        FeeOnTransferToken fot = new FeeOnTransferToken();
        vaultB.setCollateral(address(fot), true);
        fot.mint(alice, 1000);
        vm.prank(alice);
        fot.approve(address(vaultB), 1000);

        uint256 fee = vaultB.quoteDeposit(alice, address(fot), 1000).nativeFee;
        vm.prank(alice);
        vaultB.deposit{value: fee}(address(fot), 1000);

        assertEq(vaultB.balanceOf(alice, address(fot)), 990);
        _expectHubReceives(
            B_EID,
            address(vaultB),
            1,
            1,
            abi.encode(uint8(1), uint8(1), alice, address(fot), 990, int256(990), uint64(1))
        );
    }

    function test_deposit_revertsForATokenNotAllowed() public {
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(ICollateralVault.CollateralNotAllowed.selector, address(weth)));
        vaultB.deposit{value: 1 ether}(address(weth), 1);
    }

    function test_deposit_revertsForZeroAmount() public {
        vm.prank(alice);
        vm.expectRevert(ICollateralVault.ZeroAmount.selector);
        vaultB.deposit{value: 1 ether}(address(usdc), 0);
    }

    function test_deposit_revertsWhenTheFeeIsShort() public {
        uint256 fee = vaultB.quoteDeposit(alice, address(usdc), 1e6).nativeFee;
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(ICollateralVault.InsufficientFee.selector, fee, fee - 1));
        vaultB.deposit{value: fee - 1}(address(usdc), 1e6);
    }

    function testFuzz_deposit_creditsAndReportsAnyAmount(uint256 amount) public {
        amount = bound(amount, 1, 1_000_000e6);
        _deposit(vaultB, usdc, amount);
        assertEq(vaultB.balanceOf(alice, address(usdc)), amount);
        _expectHubReceives(
            B_EID,
            address(vaultB),
            1,
            1,
            abi.encode(uint8(1), uint8(1), alice, address(usdc), amount, int256(amount), uint64(1))
        );
    }

    // ------------------------------------------------------------------ exposures

    function test_reportExposure_reachesTheHub() public {
        vm.prank(perpDex);
        uint256 fee = vaultB.quoteExposure(alice, ETH_PERP, -1.5e18, 2000e18).nativeFee;

        vm.expectEmit(address(vaultB));
        emit ICollateralVault.ExposureReported(alice, perpDex, ETH_PERP, -1.5e18, 2000e18, 1);
        vm.prank(perpDex);
        vaultB.reportExposure{value: fee}(alice, ETH_PERP, -1.5e18, 2000e18);

        _expectHubReceives(
            B_EID,
            address(vaultB),
            1,
            OmniCodec.EXPOSURE,
            abi.encode(uint8(1), uint8(3), alice, perpDex, ETH_PERP, int256(-1.5e18), uint256(2000e18), uint64(1))
        );
    }

    function test_reportExposure_revertsForANonIntegrator() public {
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(ICollateralVault.NotIntegrator.selector, alice));
        vaultB.reportExposure{value: 1 ether}(alice, ETH_PERP, 1, 1);
    }

    // ------------------------------------------------------------------ liquidations

    function test_liquidation_seizesPaysTheRecipientAndAcksTheHub() public {
        _deposit(vaultB, usdc, 100e6);
        verifyPackets(HUB_EID, address(hub));
        _fundAckReserve(vaultB);

        bytes32 orderId = OmniCodec.liquidationOrderId(B_EID, alice, address(usdc), 40e6, liquidator, 17);
        IClearingHub.LiquidationOrder memory o = _order(B_EID, orderId, alice, address(usdc), 40e6, liquidator);
        o.insuranceAmount = 4e6;
        bytes[] memory sigs = _sign(o);
        uint256 fee = hub.quoteLiquidation(o).nativeFee;
        uint256 relayerBefore = relayer.balance;

        vm.expectEmit(true, true, false, false, address(hub));
        emit IClearingHub.OrderDispatched(orderId, B_EID, bytes32(0));
        vm.prank(relayer);
        bytes32 guid = hub.dispatchLiquidation{value: fee + 0.5 ether}(o, sigs);

        assertEq(guid, GUID.generate(1, HUB_EID, address(hub), B_EID, _b32(address(vaultB))));
        assertTrue(hub.dispatched(orderId));
        assertEq(relayer.balance, relayerBefore - fee, "excess refunded to the relayer");

        vm.expectEmit(address(vaultB));
        emit ICollateralVault.Liquidated(orderId, alice, address(usdc), 40e6, 40e6, liquidator, 4e6);
        this.verifyPackets(B_EID, _b32(address(vaultB)));

        assertEq(usdc.balanceOf(liquidator), 36e6);
        assertEq(usdc.balanceOf(insurance), 4e6);
        assertEq(vaultB.balanceOf(alice, address(usdc)), 60e6);
        assertTrue(vaultB.executed(orderId));
        assertEq(vaultB.seq(), 2);

        bytes memory ack = abi.encode(
            uint8(1), uint8(4), orderId, alice, address(usdc), uint256(40e6), uint256(60e6), uint8(1), uint64(2)
        );
        _expectHubReceives(B_EID, address(vaultB), 2, OmniCodec.ORDER_ACK, ack);
    }

    function test_liquidation_seizesAtMostTheBalance() public {
        _deposit(vaultC, weth, 1 ether);
        verifyPackets(HUB_EID, address(hub));
        _fundAckReserve(vaultC);

        bytes32 orderId = OmniCodec.liquidationOrderId(C_EID, alice, address(weth), 5 ether, liquidator, 3);
        _dispatch(C_EID, orderId, alice, address(weth), 5 ether, liquidator);

        vm.expectEmit(address(vaultC));
        emit ICollateralVault.Liquidated(orderId, alice, address(weth), 5 ether, 1 ether, liquidator, 0);
        this.verifyPackets(C_EID, _b32(address(vaultC)));

        assertEq(weth.balanceOf(liquidator), 1 ether);
        assertEq(vaultC.balanceOf(alice, address(weth)), 0);
        bytes memory ack = abi.encode(
            uint8(1), uint8(4), orderId, alice, address(weth), uint256(1 ether), uint256(0), uint8(1), uint64(2)
        );
        _expectHubReceives(C_EID, address(vaultC), 2, OmniCodec.ORDER_ACK, ack);
    }

    function test_dispatchLiquidation_refusesAnOrderIdTwice() public {
        bytes32 orderId = OmniCodec.liquidationOrderId(B_EID, alice, address(usdc), 1, liquidator, 1);
        _dispatch(B_EID, orderId, alice, address(usdc), 1, liquidator);

        IClearingHub.LiquidationOrder memory o = _order(B_EID, orderId, alice, address(usdc), 1, liquidator);
        bytes[] memory sigs = _sign(o);
        vm.prank(relayer);
        vm.expectRevert(abi.encodeWithSelector(IClearingHub.OrderAlreadyDispatched.selector, orderId));
        hub.dispatchLiquidation{value: 1 ether}(o, sigs);
    }

    function test_dispatchLiquidation_revertsUnderSigned_andDeliversNothing() public {
        _deposit(vaultB, usdc, 100e6);
        verifyPackets(HUB_EID, address(hub));
        _fundAckReserve(vaultB);
        IClearingHub.LiquidationOrder memory o =
            _order(B_EID, bytes32(uint256(1)), alice, address(usdc), 100e6, liquidator);
        bytes[] memory one = OrderSigning.sign(hub.hashLiquidation(o), OrderSigning.take(signerKeys, 1));
        vm.prank(relayer);
        vm.expectRevert(abi.encodeWithSelector(IClearingHub.InsufficientSignatures.selector, 1, 2));
        hub.dispatchLiquidation{value: 1 ether}(o, one);

        assertFalse(hasPendingPackets(uint16(B_EID), _b32(address(vaultB))));
        assertEq(vaultB.balanceOf(alice, address(usdc)), 100e6);
        assertFalse(hub.dispatched(o.orderId));
    }

    function test_dispatchLiquidation_revertsWhenTheFeeIsShort() public {
        IClearingHub.LiquidationOrder memory o = _order(B_EID, bytes32(uint256(7)), alice, address(usdc), 1, liquidator);
        bytes[] memory sigs = _sign(o);
        uint256 fee = hub.quoteLiquidation(o).nativeFee;
        vm.prank(relayer);
        vm.expectRevert(abi.encodeWithSelector(IClearingHub.InsufficientFee.selector, fee, fee - 1));
        hub.dispatchLiquidation{value: fee - 1}(o, sigs);
    }

    function test_dispatchLiquidation_revertsForAChainWithoutAPeer() public {
        IClearingHub.LiquidationOrder memory o = _order(99, bytes32(uint256(8)), alice, address(usdc), 1, liquidator);
        bytes[] memory sigs = _sign(o);
        vm.prank(relayer);
        vm.expectRevert(abi.encodeWithSelector(IOAppCore.NoPeer.selector, uint32(99)));
        hub.dispatchLiquidation{value: 1 ether}(o, sigs);
    }

    function test_liquidation_withAnEmptyAckReserve_executes_andItsAckIsSentLater() public {
        _deposit(vaultB, usdc, 100e6);
        verifyPackets(HUB_EID, address(hub));

        bytes32 orderId = OmniCodec.liquidationOrderId(B_EID, alice, address(usdc), 10e6, liquidator, 9);
        _dispatch(B_EID, orderId, alice, address(usdc), 10e6, liquidator);

        uint256 ackFee = vaultB.quoteOrderAck().nativeFee;
        verifyPackets(B_EID, address(vaultB));
        assertTrue(vaultB.executed(orderId));
        assertEq(usdc.balanceOf(liquidator), 10e6);
        assertGt(vaultB.owedReply(2).length, 0, "the ORDER_ACK is owed under its seq");
        assertFalse(hub.seqSeen(B_EID, 2));

        // anyone sends the owed ack; the hub publishes it with the vault's sequence number
        address anyone = makeAddr("anyone");
        vm.deal(anyone, 1 ether);
        vm.prank(anyone);
        vaultB.sendOwedReply{value: ackFee}(2);
        verifyPackets(HUB_EID, address(hub));
        assertTrue(hub.seqSeen(B_EID, 2));
    }

    function test_vault_refusesToExecuteAnOrderTwice() public {
        _deposit(vaultB, usdc, 100e6);
        _fundAckReserve(vaultB);
        bytes memory order = OmniCodec.encodeLiquidate(
            OmniCodec.Liquidate({
                orderId: bytes32(uint256(42)),
                account: alice,
                token: address(usdc),
                amount: 1e6,
                recipient: liquidator,
                insuranceAmount: 0,
                expiry: uint64(block.timestamp + 1 hours)
            })
        );
        Origin memory origin = Origin({srcEid: HUB_EID, sender: _b32(address(hub)), nonce: 1});

        vm.prank(endpoints[B_EID]);
        vaultB.lzReceive(origin, bytes32(uint256(1)), order, address(0), "");

        vm.prank(endpoints[B_EID]);
        vm.expectRevert(abi.encodeWithSelector(ICollateralVault.OrderAlreadyExecuted.selector, bytes32(uint256(42))));
        vaultB.lzReceive(origin, bytes32(uint256(2)), order, address(0), "");
    }

    function test_vault_refusesHubBoundMessages() public {
        bytes memory balance = abi.encode(uint8(1), uint8(1), alice, address(usdc), uint256(1), int256(1), uint64(1));
        vm.prank(endpoints[B_EID]);
        vm.expectRevert(abi.encodeWithSelector(OmniCodec.UnknownMessageType.selector, uint8(1)));
        vaultB.lzReceive(Origin(HUB_EID, _b32(address(hub)), 1), bytes32(0), balance, address(0), "");
    }

    function test_vault_refusesAPeerThatIsNotOnTheHubChain() public {
        address other = makeAddr("otherChainApp");
        vaultB.setPeer(C_EID, _b32(other));
        bytes memory order = OmniCodec.encodeLiquidate(
            OmniCodec.Liquidate({
                orderId: bytes32(uint256(1)),
                account: alice,
                token: address(usdc),
                amount: 1,
                recipient: other,
                insuranceAmount: 0,
                expiry: uint64(block.timestamp + 1 hours)
            })
        );
        vm.prank(endpoints[B_EID]);
        vm.expectRevert(abi.encodeWithSelector(ICollateralVault.NotHub.selector, C_EID));
        vaultB.lzReceive(Origin(C_EID, _b32(other), 1), bytes32(0), order, address(0), "");
    }

    // ------------------------------------------------------------------ peers and payload validation at the hub

    function test_hub_refusesAVaultThatIsNotAPeer() public {
        CollateralVault rogue = new CollateralVault(endpoints[B_EID], address(this), HUB_EID, insurance);
        rogue.setPeer(HUB_EID, _b32(address(hub)));
        rogue.setCollateral(address(usdc), true);
        usdc.mint(address(this), 1e6);
        usdc.approve(address(rogue), 1e6);
        rogue.deposit{value: rogue.quoteDeposit(address(this), address(usdc), 1e6).nativeFee}(address(usdc), 1e6);

        // the real endpoint will not even open the path from a non-peer: verification is refused (the mock DVN
        // swallows the failure), so the delivery finds nothing verified...
        Origin memory origin = Origin(B_EID, _b32(address(rogue)), 1);
        assertFalse(ILayerZeroEndpointV2(endpoints[HUB_EID]).initializable(origin, address(hub)));
        vm.expectRevert(abi.encodeWithSelector(Errors.LZ_InvalidNonce.selector, uint64(1)));
        this.verifyPackets(HUB_EID, _b32(address(hub)));

        // ...and the hub itself refuses it (OApp's OnlyPeer)
        bytes memory payload = abi.encode(uint8(1), uint8(1), alice, address(usdc), uint256(1), int256(1), uint64(1));
        vm.prank(endpoints[HUB_EID]);
        vm.expectRevert(abi.encodeWithSelector(IOAppCore.OnlyPeer.selector, B_EID, _b32(address(rogue))));
        hub.lzReceive(origin, bytes32(0), payload, address(0), "");
    }

    function test_hub_refusesAnUnsupportedVersion() public {
        bytes memory payload = abi.encode(uint8(2), uint8(1), alice, address(usdc), uint256(1), int256(1), uint64(1));
        _expectHubRefuses(payload, abi.encodeWithSelector(OmniCodec.UnsupportedVersion.selector, uint8(2)));
    }

    function test_hub_refusesAnUnknownType() public {
        bytes memory payload = abi.encode(uint8(1), uint8(9), alice, address(usdc), uint256(1), int256(1), uint64(1));
        _expectHubRefuses(payload, abi.encodeWithSelector(OmniCodec.UnknownMessageType.selector, uint8(9)));
    }

    function test_hub_refusesSpokeBoundTypes() public {
        bytes memory payload = OmniCodec.encodeLiquidate(
            OmniCodec.Liquidate({
                orderId: bytes32(0),
                account: alice,
                token: address(usdc),
                amount: 1,
                recipient: alice,
                insuranceAmount: 0,
                expiry: uint64(block.timestamp + 1 hours)
            })
        );
        _expectHubRefuses(payload, abi.encodeWithSelector(OmniCodec.UnknownMessageType.selector, uint8(5)));
    }

    function test_hub_refusesAWrongLength() public {
        bytes memory payload = bytes.concat(
            abi.encode(uint8(1), uint8(1), alice, address(usdc), uint256(1), int256(1), uint64(1)), bytes1(0)
        );
        _expectHubRefuses(payload, abi.encodeWithSelector(OmniCodec.MalformedPayload.selector, uint256(225)));
    }

    // ------------------------------------------------------------------ administration and options

    function test_setSigners_isOwnerOnly() public {
        address[] memory next = new address[](1);
        next[0] = makeAddr("next");
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, alice));
        hub.setSigners(next, 1);

        vm.expectEmit(address(hub));
        emit IClearingHub.SignersSet(next, 1);
        hub.setSigners(next, 1);
        assertTrue(hub.isSigner(next[0]));
    }

    function test_allowLists_areOwnerOnly() public {
        vm.startPrank(alice);
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, alice));
        vaultB.setCollateral(address(weth), true);
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, alice));
        vaultB.setIntegrator(alice, true);
        vm.stopPrank();
    }

    function test_enforcedOptions_replaceTheDefaultGas() public {
        uint256 defaultFee = vaultB.quoteDeposit(alice, address(usdc), 1).nativeFee;
        EnforcedOptionParam[] memory params = new EnforcedOptionParam[](1);
        params[0] = EnforcedOptionParam({
            eid: HUB_EID,
            msgType: OmniCodec.BALANCE,
            options: OptionsBuilder.newOptions().addExecutorLzReceiveOption(1_000_000, 0)
        });
        vaultB.setEnforcedOptions(params);
        assertGt(vaultB.quoteDeposit(alice, address(usdc), 1).nativeFee, defaultFee);

        // and the message is delivered with the enforced gas
        _deposit(vaultB, usdc, 1e6);
        _expectHubReceives(
            B_EID,
            address(vaultB),
            1,
            1,
            abi.encode(uint8(1), uint8(1), alice, address(usdc), 1e6, int256(1e6), uint64(1))
        );
    }

    function test_withdrawAckReserve_isOwnerOnly() public {
        _fundAckReserve(vaultB);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, alice));
        vaultB.withdrawAckReserve(payable(alice), 1);

        address payable treasury = payable(makeAddr("treasury"));
        vaultB.withdrawAckReserve(treasury, 0.25 ether);
        assertEq(treasury.balance, 0.25 ether);
        assertEq(address(vaultB).balance, 0.75 ether);
    }

    // ------------------------------------------------------------------ helpers

    function _deposit(CollateralVault vault, DemoToken token, uint256 amount) internal {
        uint256 fee = vault.quoteDeposit(alice, address(token), amount).nativeFee;
        vm.prank(alice);
        vault.deposit{value: fee}(address(token), amount);
    }

    function _dispatch(
        uint32 dstEid,
        bytes32 orderId,
        address account,
        address token,
        uint256 amount,
        address recipient
    ) internal {
        IClearingHub.LiquidationOrder memory o = _order(dstEid, orderId, account, token, amount, recipient);
        bytes[] memory sigs = _sign(o);
        uint256 fee = hub.quoteLiquidation(o).nativeFee;
        vm.prank(relayer);
        hub.dispatchLiquidation{value: fee}(o, sigs);
    }

    /// @dev A liquidation order without an insurance part, valid for an hour.
    function _order(uint32 dstEid, bytes32 orderId, address account, address token, uint256 amount, address recipient)
        internal
        view
        returns (IClearingHub.LiquidationOrder memory)
    {
        IClearingHub.LiquidationOrder memory o;
        o.dstEid = dstEid;
        o.orderId = orderId;
        o.account = account;
        o.token = token;
        o.amount = amount;
        o.recipient = recipient;
        o.insuranceAmount = 0;
        o.expiry = uint64(block.timestamp + 1 hours);
        return o;
    }

    /// @dev Signatures of `o` by two of the three signers (2-of-3), ascending.
    function _sign(IClearingHub.LiquidationOrder memory o) internal view returns (bytes[] memory) {
        return OrderSigning.sign(hub.hashLiquidation(o), OrderSigning.take(signerKeys, 2));
    }

    function _fundAckReserve(CollateralVault vault) internal {
        vm.deal(relayer, relayer.balance + 1 ether);
        vm.prank(relayer);
        (bool ok,) = address(vault).call{value: 1 ether}("");
        assertTrue(ok);
    }

    /// @dev Delivers the next packet from `vault` to the hub and checks the hub's MessageReceived log exactly.
    function _expectHubReceives(uint32 srcEid, address vault, uint64 nonce, uint8 msgType, bytes memory payload)
        internal
    {
        bytes32 guid = GUID.generate(nonce, srcEid, vault, HUB_EID, _b32(address(hub)));
        vm.expectEmit(address(hub));
        emit IClearingHub.MessageReceived(srcEid, guid, nonce, msgType, payload);
        this.verifyPackets(HUB_EID, _b32(address(hub)), 1, address(0), "");
    }

    /// @dev Hands `payload` to the hub as its endpoint would, from the real vault peer, and expects `err`.
    function _expectHubRefuses(bytes memory payload, bytes memory err) internal {
        vm.prank(endpoints[HUB_EID]);
        vm.expectRevert(err);
        hub.lzReceive(Origin(B_EID, _b32(address(vaultB)), 1), bytes32(0), payload, address(0), "");
    }

    function _b32(address a) internal pure returns (bytes32) {
        return bytes32(uint256(uint160(a)));
    }
}

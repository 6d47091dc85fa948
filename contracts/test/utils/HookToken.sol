// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

import {CollateralVault} from "../../src/CollateralVault.sol";

/// @notice The callbacks a `HookToken` makes, after ERC-777's `tokensToSend` / `tokensReceived`.
interface ITokenHook {
    /// @notice Called on the sender's hook before the balances move.
    function tokensToSend(address from, address to, uint256 amount) external;

    /// @notice Called on the receiver's hook after the balances moved.
    function tokensReceived(address from, address to, uint256 amount) external;
}

/// @notice An ERC-20 with ERC-777-style transfer hooks: an account registers a hook (as in ERC-1820), which is called
/// before every transfer out of the account and after every transfer into it (mints and burns excepted). A hook's
/// revert reverts the transfer, as in ERC-777.
contract HookToken is ERC20 {
    mapping(address account => address) public hookOf;

    constructor() ERC20("Hooked", "HOOK") {}

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    /// @notice Registers (or, with zero, removes) the caller's hook.
    function setHook(address hook) external {
        hookOf[msg.sender] = hook;
    }

    function _update(address from, address to, uint256 value) internal override {
        bool hooked = from != address(0) && to != address(0);
        address sendHook = hooked ? hookOf[from] : address(0);
        if (sendHook != address(0)) ITokenHook(sendHook).tokensToSend(from, to, value);
        super._update(from, to, value);
        address receiveHook = hooked ? hookOf[to] : address(0);
        if (receiveHook != address(0)) ITokenHook(receiveHook).tokensReceived(from, to, value);
    }
}

/// @notice An account that registers itself as its own `HookToken` hook and, from inside a transfer, calls back into
/// the vault (`action`). With `swallow` it catches the vault's refusal and lets the transfer go on, recording the
/// revert data in `lastError`; without it the refusal reverts the transfer. It re-enters once per transfer.
contract ReentrantHook is ITokenHook {
    enum Action {
        None,
        Deposit,
        DepositFor,
        Claim,
        Escape,
        ExecutePayout
    }

    CollateralVault public immutable vault;
    HookToken public immutable token;

    Action public action;
    bool public swallow;
    /// @dev The amount of a re-entrant deposit, or the request id of a re-entrant escape or payout.
    uint256 public arg;
    /// @dev How many times a hook tried to re-enter; the revert data of the last refusal.
    uint256 public attempts;
    bytes public lastError;
    bool private _busy;

    constructor(CollateralVault vault_, HookToken token_) {
        vault = vault_;
        token = token_;
        token_.setHook(address(this));
        token_.approve(address(vault_), type(uint256).max);
    }

    receive() external payable {}

    function arm(Action action_, uint256 arg_, bool swallow_) external {
        action = action_;
        arg = arg_;
        swallow = swallow_;
    }

    function deposit(uint256 amount) external payable {
        vault.deposit{value: msg.value}(address(token), amount);
    }

    function requestWithdrawal(uint256 amount) external payable returns (uint64) {
        return vault.requestWithdrawal{value: msg.value}(address(token), amount);
    }

    function escapeWithdrawal(uint64 requestId) external payable {
        vault.escapeWithdrawal{value: msg.value}(requestId);
    }

    function claim(address to) external {
        vault.claim(address(token), to);
    }

    function tokensToSend(address, address, uint256) external {
        _reenter();
    }

    function tokensReceived(address, address, uint256) external {
        _reenter();
    }

    function _reenter() internal {
        if (action == Action.None || _busy) return;
        _busy = true;
        ++attempts;
        bytes memory call;
        uint256 value;
        if (action == Action.Deposit) {
            call = abi.encodeCall(CollateralVault.deposit, (address(token), arg));
            value = 1 ether;
        } else if (action == Action.DepositFor) {
            call = abi.encodeCall(CollateralVault.depositFor, (address(this), address(token), arg));
            value = 1 ether;
        } else if (action == Action.Claim) {
            call = abi.encodeCall(CollateralVault.claim, (address(token), address(this)));
        } else if (action == Action.Escape) {
            call = abi.encodeCall(CollateralVault.escapeWithdrawal, (uint64(arg)));
            value = 1 ether;
        } else {
            call = abi.encodeCall(CollateralVault.executePayout, (uint64(arg)));
            value = 1 ether;
        }
        (bool ok, bytes memory ret) = address(vault).call{value: value}(call);
        if (!ok) {
            if (!swallow) {
                assembly ("memory-safe") {
                    revert(add(ret, 32), mload(ret))
                }
            }
            lastError = ret;
        }
        _busy = false;
    }
}

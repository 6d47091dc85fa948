// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {TestHelperOz5} from "@layerzerolabs/test-devtools-evm-foundry/contracts/TestHelperOz5.sol";

contract WarmupTest is TestHelperOz5 {
    function test_setup() public {
        setUpEndpoints(3, LibraryType.UltraLightNode);
    }
}

// Not a test of the dashboard: the browser side of the test that kills a runner mid-test
// (tests/e2e/TestGuardTest.cpp). It starts what a browser test starts, with the same helpers
// (a gateway, a receiver, Chromium showing the signed-in dashboard), says so, and then waits
// to be killed. It stops by itself after 4 minutes at the latest.
import {ADMIN_TOKEN, Gateway, Receiver, launchBrowser, newPage, signIn, waitForText} from './support.mjs';

const gateway = new Gateway();
await gateway.start();
const receiver = new Receiver();
await receiver.start();
const browser = await launchBrowser();
const {page} = await newPage(browser);
await page.addInitScript(() => localStorage.setItem('hookgate.language', 'en'));
await signIn(page, gateway, ADMIN_TOKEN);
await waitForText(page.locator('#picker-title'), 'Choose an account', 'the account picker');
console.log('guard-victim: gateway, receiver and Chromium are running; waiting to be killed');
await new Promise((resolve) => setTimeout(resolve, 240000));
console.error('guard-victim: was not killed within 4 minutes');
process.exit(1);

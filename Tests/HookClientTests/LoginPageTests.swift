import Foundation
import Testing

@testable import HookClient

/// The pieces of the DESP login that read what Keycloak sends: the login page and the token's expiry.
struct LoginPageTests {
    @Test func `the JWT expiry is read from the token itself`() {
        // {"alg":"RS256"} . {"exp":4102444800} . signature
        let token = "eyJhbGciOiJSUzI1NiJ9.eyJleHAiOjQxMDI0NDQ4MDB9.c2ln"
        #expect(TokenProvider.expiry(of: token) == Date(timeIntervalSince1970: 4_102_444_800))
        #expect(TokenProvider.expiry(of: "not-a-jwt") == nil)
    }

    @Test func `the login page's form is found by a tag scanner, entities decoded`() {
        let page = HTMLPage(
            """
            <html><head><script>var x = "<form action='nope'>";</script></head><body>
            <div id="kc-form"><FORM id="kc-form-login" onsubmit="login.disabled = true; return true;"
              action="https://auth.example/realms/desp/login-actions/authenticate?session_code=a&amp;execution=b&amp;client_id=dedl-hda"
              method=post>
            <span id="input-error" class="pf-c-form__helper-text" aria-live="polite">
                Invalid username or password.</span>
            <input tabindex="1" id="username" name="username" type="text" autofocus>
            </form></div></body></html>
            """)
        #expect(page.formAction?.hasSuffix("session_code=a&execution=b&client_id=dedl-hda") == true)
        #expect(page.text(ofID: "input-error") == "Invalid username or password.")
        #expect(!page.asksForOTP)
        #expect(HTMLPage(#"<form action="/x"><input id="otp" name="otp" autocomplete="off"></form>"#).asksForOTP)
    }
}

-- glimpse.http against the local test server: responses, headers, error
-- names and codes, timeouts, the size cap, redirects, argument checks.
local http = require "glimpse.http"
local control = require "server.control"
local cjson = require "cjson.safe"

describe("glimpse.http", function()
  local server

  setup(function() server = control.start{ key = "sk-http-spec" } end)
  teardown(function() server:stop() end)
  before_each(function() server:reset() end)

  local function chat_request(extra)
    local req = {
      method = "POST",
      url = server.base_url .. "/chat/completions",
      headers = { Authorization = "Bearer sk-http-spec", ["Content-Type"] = "application/json" },
      body = cjson.encode{ model = "m", messages = { { role = "user", content = "hi" } } },
      timeout = 10,
    }
    for k, v in pairs(extra or {}) do req[k] = v end
    return req
  end

  it("posts a body and returns status, lower-cased headers and body", function()
    local res, err = http.request(chat_request())
    assert.is_nil(err)
    assert.equal(200, res.status)
    assert.equal("application/json", res.headers["content-type"])
    assert.is_nil(res.headers["Content-Type"])
    local body = assert(cjson.decode(res.body))
    assert.equal("chat.completion", body.object)
    assert.is_number(res.time)
    -- the server saw exactly what was sent
    local log = server:log()
    assert.equal(1, #log)
    assert.equal("hi", log[1].body.messages[1].content)
    assert.equal("application/json", log[1].content_type)
  end)

  it("returns HTTP error statuses as responses, not failures", function()
    local res = assert(http.request{ url = server.base_url .. "/nowhere", timeout = 5 })
    assert.equal(404, res.status)
    local body = assert(cjson.decode(res.body))
    assert.equal("invalid_request_error", body.error.type)
  end)

  it("names a refused connection, with ENET", function()
    -- a port nobody listens on: bind-and-close is racy, so use the discard
    -- port 9, which nothing on these machines serves
    local res, err, code = http.request{ url = "http://127.0.0.1:9/", timeout = 5 }
    assert.is_nil(res)
    assert.equal("http: connection refused (127.0.0.1:9)", err)
    assert.equal("ENET", code)
  end)

  it("names an unresolvable host, with ENET", function()
    local res, err, code = http.request{ url = "http://no-such-host.invalid/v1", timeout = 5 }
    assert.is_nil(res)
    assert.equal("http: could not resolve host no-such-host.invalid", err)
    assert.equal("ENET", code)
  end)

  it("times out with ETIMEOUT and says after how long", function()
    server:script{ { kind = "slow", delay = 3 } }
    local res, err, code = http.request(chat_request{ timeout = 0.5 })
    assert.is_nil(res)
    assert.equal("http: timed out after 0.5 s", err)
    assert.equal("ETIMEOUT", code)
  end)

  it("reports a dropped connection and a truncated body as ENET", function()
    server:script{ { kind = "drop" }, { kind = "truncated" } }
    local res, err, code = http.request(chat_request())
    assert.is_nil(res)
    assert.matches("closed the connection without a reply", err, 1, true)
    assert.equal("ENET", code)
    res, err, code = http.request(chat_request())
    assert.is_nil(res)
    assert.matches("^http: connection to 127%.0%.0%.1:%d+ dropped", err)
    assert.equal("ENET", code)
  end)

  it("does not follow redirects unless asked", function()
    local res = assert(http.request{ url = server.root .. "/control/redirect?to=/control/log", timeout = 5 })
    assert.equal(302, res.status)
    assert.equal("/control/log", res.headers.location)
    res = assert(http.request{ url = server.root .. "/control/redirect?to=/control/log", timeout = 5,
      follow_redirects = true })
    assert.equal(200, res.status)
    assert.is_table(cjson.decode(res.body).requests)
  end)

  it("caps the response size with ELIMIT", function()
    local res, err, code = http.request(chat_request{ max_response = 64 })
    assert.is_nil(res)
    assert.equal("http: response larger than 64 bytes", err)
    assert.equal("ELIMIT", code)
  end)

  it("never puts request headers in an error", function()
    server:script{ { kind = "drop" } }
    local _, err = http.request(chat_request())
    assert.is_nil(err:find("sk-http-spec", 1, true))
  end)

  it("rejects non-http schemes without a request", function()
    local res, err, code = http.request{ url = "file:///etc/passwd" }
    assert.is_nil(res)
    assert.equal("http: unsupported URL scheme (only http and https)", err)
    assert.equal("EINVAL", code)
  end)

  it("raises on caller bugs", function()
    assert.has.error(function() http.request("http://x") end,
      "bad argument #1 to 'request' (table expected, got string)")
    assert.has.error(function() http.request{} end,
      "bad argument #1 to 'request' (field 'url' must be a string)")
    assert.has.error(function() http.request{ url = "http://x", method = "BREW" } end,
      "bad argument #1 to 'request' (unknown method 'BREW')")
    assert.has.error(function()
      http.request{ url = "http://127.0.0.1:9/", headers = { ["X-A"] = "a\r\nInjected: 1" } }
    end)
    assert.has.error(function() http.request{ url = "http://x", body = 42 } end,
      "bad argument #1 to 'request' (field 'body' must be a string)")
  end)

  it("base64 round-trips and rejects malformed input", function()
    for _, s in ipairs{ "", "f", "fo", "foo", "foob", "fooba", "foobar", "\0\255\128" } do
      assert.equal(s, http.base64_decode(http.base64_encode(s)))
    end
    assert.equal("Zm9vYmFy", http.base64_encode("foobar"))
    assert.equal("Zm8=", http.base64_encode("fo"))
    local v, err, code = http.base64_decode("Zm9v!A==")
    assert.is_nil(v)
    assert.equal("base64: invalid character at offset 4", err)
    assert.equal("EFORMAT", code)
    assert.is_nil((http.base64_decode("Zm9")))
  end)

  describe("over TLS", function()
    local tls
    setup(function() tls = control.start{ key = "sk-http-spec", tls = true } end)
    teardown(function() tls:stop() end)

    it("verifies the peer: a self-signed certificate is a TLS error", function()
      local res, err, code = http.request{ url = tls.root .. "/control/log", timeout = 5 }
      assert.is_nil(res)
      assert.matches("^http: TLS error with 127%.0%.0%.1:" .. tls.port .. ": ", err)
      assert.equal("ENET", code)
    end)

    it("trusts a certificate given as ca_file", function()
      local res = assert(http.request{ url = tls.root .. "/control/log", timeout = 5, ca_file = tls.ca_file })
      assert.equal(200, res.status)
    end)
  end)
end)

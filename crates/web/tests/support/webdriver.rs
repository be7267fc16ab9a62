//! Minimal W3C WebDriver client for browser tests, driving headless Chromium
//! through `/usr/bin/chromedriver` (Debian packages `chromium` and
//! `chromium-driver`).
//!
//! Depends only on std and `serde_json`: HTTP/1.1 is spoken directly over a
//! `TcpStream` (one request per connection, `Connection: close`).
//!
//! Downloads (verified with Chromium/chromedriver 156, `--headless` = new
//! headless mode): the `download.default_directory` pref alone is enough, and
//! so is the CDP command `Browser.setDownloadBehavior {behavior: "allow",
//! downloadPath}` sent through chromedriver's `POST /session/{id}/goog/cdp/execute`
//! alone. We do both, since older headless modes ignore the pref.
#![allow(dead_code)]

use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// W3C key under which element references are serialized.
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

/// A chromedriver child process with one open browser session.
/// Dropping it deletes the session, kills chromedriver and removes the profile.
pub struct Driver {
    child: Child,
    port: u16,
    session: String,
    profile: PathBuf,
}

/// A reference to a DOM element in the driver's current page.
pub struct Element<'a> {
    driver: &'a Driver,
    id: String,
}

impl Driver {
    /// Starts chromedriver on a free port and opens a headless Chromium session
    /// whose downloads land in `download_dir`.
    pub fn start(download_dir: &Path) -> Result<Driver, String> {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_err(|e| format!("cannot find a free port: {e}"))?
            .port();
        let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos());
        let profile = std::env::temp_dir().join(format!("wd-profile-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&profile).map_err(|e| format!("cannot create {profile:?}: {e}"))?;
        let download_dir =
            std::fs::canonicalize(download_dir).map_err(|e| format!("download dir {download_dir:?}: {e}"))?;
        let child = Command::new("/usr/bin/chromedriver")
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot spawn /usr/bin/chromedriver: {e}"))?;
        // From here on, an early return drops `driver`, which cleans up.
        let mut driver = Driver {
            child,
            port,
            session: String::new(),
            profile,
        };

        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            match http(port, "GET", "/status", None) {
                Ok((200, v)) if v["value"]["ready"] == true => break,
                _ if Instant::now() > deadline => return Err("chromedriver not ready after 20 s".into()),
                _ => {}
            }
            if let Ok(Some(status)) = driver.child.try_wait() {
                return Err(format!("chromedriver exited early: {status}"));
            }
            std::thread::sleep(Duration::from_millis(100));
        }

        let dir = download_dir.to_string_lossy().into_owned();
        let options = json!({
            "binary": "/usr/bin/chromium",
            "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-quic", "--no-first-run", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1366,900", "--lang=sv-SE",
                format!("--user-data-dir={}", driver.profile.display())],
            "prefs": {"download.default_directory": dir, "download.prompt_for_download": false, "intl.accept_languages": "sv-SE,sv"},
        });
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome", "goog:chromeOptions": options}}});
        let created = command(port, "POST", "/session", Some(&caps))?;
        driver.session = created["sessionId"]
            .as_str()
            .ok_or_else(|| format!("no sessionId in new-session reply: {created}"))?
            .to_string();
        let cdp = json!({"cmd": "Browser.setDownloadBehavior",
            "params": {"behavior": "allow", "downloadPath": dir}});
        driver.cmd("POST", "/goog/cdp/execute", Some(cdp))?;
        Ok(driver)
    }

    /// Sends a command relative to `/session/{id}` and returns its `value`.
    fn cmd(&self, method: &str, path: &str, body: Option<Value>) -> Result<Value, String> {
        let path = format!("/session/{}{path}", self.session);
        command(self.port, method, &path, body.as_ref())
    }

    /// Navigates to `url` and waits for the page load.
    pub fn goto(&self, url: &str) -> Result<(), String> {
        self.cmd("POST", "/url", Some(json!({ "url": url }))).map(drop)
    }

    /// URL of the current page.
    pub fn current_url(&self) -> Result<String, String> {
        self.cmd("GET", "/url", None).and_then(string)
    }

    /// Title of the current page.
    pub fn title(&self) -> Result<String, String> {
        self.cmd("GET", "/title", None).and_then(string)
    }

    /// Serialized DOM of the current page.
    pub fn page_source(&self) -> Result<String, String> {
        self.cmd("GET", "/source", None).and_then(string)
    }

    /// First element matching the CSS selector.
    pub fn find(&self, css: &str) -> Result<Element<'_>, String> {
        let body = json!({"using": "css selector", "value": css});
        let v = self
            .cmd("POST", "/element", Some(body))
            .map_err(|e| format!("find {css:?}: {e}"))?;
        self.element(&v)
            .ok_or_else(|| format!("find {css:?}: bad element reply {v}"))
    }

    /// All elements matching the CSS selector (possibly none).
    pub fn find_all(&self, css: &str) -> Result<Vec<Element<'_>>, String> {
        let body = json!({"using": "css selector", "value": css});
        let v = self
            .cmd("POST", "/elements", Some(body))
            .map_err(|e| format!("find_all {css:?}: {e}"))?;
        let items = v.as_array().ok_or_else(|| format!("find_all {css:?}: bad reply {v}"))?;
        Ok(items.iter().filter_map(|e| self.element(e)).collect())
    }

    /// Polls every 100 ms until an element matches `css`, or fails after `timeout`.
    pub fn wait_for(&self, css: &str, timeout: Duration) -> Result<Element<'_>, String> {
        let deadline = Instant::now() + timeout;
        loop {
            match self.find(css) {
                Ok(el) => return Ok(el),
                Err(e) if Instant::now() >= deadline => return Err(format!("timed out after {timeout:?}: {e}")),
                Err(_) => std::thread::sleep(Duration::from_millis(100)),
            }
        }
    }

    /// Runs a synchronous script (`return ...;` gives the result). Pass
    /// elements as arguments with [`Element::to_json`].
    pub fn execute(&self, script: &str, args: Vec<Value>) -> Result<Value, String> {
        self.cmd("POST", "/execute/sync", Some(json!({"script": script, "args": args})))
    }

    /// Sends a Chrome DevTools Protocol command (e.g.
    /// `Emulation.setDeviceMetricsOverride`, `Emulation.setEmulatedMedia`).
    pub fn cdp(&self, cmd: &str, params: Value) -> Result<Value, String> {
        self.cmd("POST", "/goog/cdp/execute", Some(json!({"cmd": cmd, "params": params})))
    }

    /// Takes a screenshot of the viewport and writes it as a PNG file.
    pub fn screenshot_png(&self, path: &Path) -> Result<(), String> {
        let png = base64_decode(&self.cmd("GET", "/screenshot", None).and_then(string)?)?;
        std::fs::write(path, png).map_err(|e| format!("cannot write {path:?}: {e}"))
    }

    /// Resizes the browser window to `width` x `height` CSS pixels.
    pub fn set_window_size(&self, width: u32, height: u32) -> Result<(), String> {
        self.cmd("POST", "/window/rect", Some(json!({"width": width, "height": height})))
            .map(drop)
    }

    /// Deletes every cookie visible to the current page.
    pub fn delete_all_cookies(&self) -> Result<(), String> {
        self.cmd("DELETE", "/cookie", None).map(drop)
    }

    /// Cookies visible to the current page, as W3C cookie objects.
    pub fn cookies(&self) -> Result<Vec<Value>, String> {
        match self.cmd("GET", "/cookie", None)? {
            Value::Array(a) => Ok(a),
            v => Err(format!("bad cookie reply: {v}")),
        }
    }

    fn element(&self, v: &Value) -> Option<Element<'_>> {
        let id = v[ELEMENT_KEY].as_str()?.to_string();
        Some(Element { driver: self, id })
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        if !self.session.is_empty() {
            let _ = self.cmd("DELETE", "", None);
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

impl Element<'_> {
    fn cmd(&self, method: &str, path: &str, body: Option<Value>) -> Result<Value, String> {
        self.driver.cmd(method, &format!("/element/{}{path}", self.id), body)
    }

    /// Clicks the element (scrolling it into view first).
    pub fn click(&self) -> Result<(), String> {
        self.cmd("POST", "/click", Some(json!({}))).map(drop)
    }

    /// Types `text` into the element.
    pub fn send_keys(&self, text: &str) -> Result<(), String> {
        self.cmd("POST", "/value", Some(json!({ "text": text }))).map(drop)
    }

    /// Clears an input or textarea.
    pub fn clear(&self) -> Result<(), String> {
        self.cmd("POST", "/clear", Some(json!({}))).map(drop)
    }

    /// Rendered (visible) text of the element.
    pub fn text(&self) -> Result<String, String> {
        self.cmd("GET", "/text", None).and_then(string)
    }

    /// Attribute value (chromedriver falls back to the DOM property), or `None`.
    pub fn attr(&self, name: &str) -> Result<Option<String>, String> {
        Ok(self
            .cmd("GET", &format!("/attribute/{name}"), None)?
            .as_str()
            .map(str::to_string))
    }

    /// The W3C element reference, for use as an [`Driver::execute`] argument.
    pub fn to_json(&self) -> Value {
        json!({ ELEMENT_KEY: self.id })
    }
}

/// Waits until `dir` holds a finished file whose name ends with `suffix`
/// (Chromium writes `*.crdownload` first and renames it when complete).
pub fn wait_for_file(dir: &Path, suffix: &str, timeout: Duration) -> Result<PathBuf, String> {
    let deadline = Instant::now() + timeout;
    loop {
        let entries = std::fs::read_dir(dir).map_err(|e| format!("cannot read {dir:?}: {e}"))?;
        for path in entries.filter_map(|e| e.ok().map(|e| e.path())) {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            if name.ends_with(suffix) && !name.ends_with(".crdownload") && path.is_file() {
                return Ok(path);
            }
        }
        if Instant::now() >= deadline {
            return Err(format!("no *{suffix} file in {dir:?} after {timeout:?}"));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Sends one command and returns the reply's `value`, or an error carrying
/// the WebDriver error code and message.
fn command(port: u16, method: &str, path: &str, body: Option<&Value>) -> Result<Value, String> {
    let (status, mut reply) = http(port, method, path, body)?;
    let value = reply["value"].take();
    if status == 200 {
        return Ok(value);
    }
    let (error, message) = (
        value["error"].as_str().unwrap_or("?"),
        value["message"].as_str().unwrap_or(""),
    );
    Err(format!("{method} {path}: HTTP {status} {error}: {message}"))
}

/// One HTTP/1.1 exchange with chromedriver; returns status and JSON body.
fn http(port: u16, method: &str, path: &str, body: Option<&Value>) -> Result<(u16, Value), String> {
    let fail = |e: std::io::Error| format!("{method} {path}: {e}");
    let mut stream = TcpStream::connect(("127.0.0.1", port)).map_err(fail)?;
    stream.set_read_timeout(Some(Duration::from_secs(120))).map_err(fail)?;
    let body = body.map(Value::to_string).unwrap_or_default();
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json; charset=utf-8\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).map_err(fail)?;
    // chromedriver ignores `Connection: close`, so read exactly Content-Length bytes.
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).map_err(fail)?;
    let status = line.split(' ').nth(1).and_then(|s| s.parse().ok());
    let status = status.ok_or_else(|| format!("{method} {path}: bad status line {line:?}"))?;
    let mut length = None;
    loop {
        line.clear();
        if reader.read_line(&mut line).map_err(fail)? == 0 {
            return Err(format!("{method} {path}: connection closed in headers"));
        }
        match line.trim_end().split_once(':') {
            Some((name, value)) if name.eq_ignore_ascii_case("content-length") => length = value.trim().parse().ok(),
            Some(_) => {}
            None => break,
        }
    }
    let length = length.ok_or_else(|| format!("{method} {path}: reply has no Content-Length"))?;
    let mut reply = vec![0; length];
    reader.read_exact(&mut reply).map_err(fail)?;
    let json = serde_json::from_slice(&reply).unwrap_or(Value::Null);
    Ok((status, json))
}

/// Extracts a JSON string value.
fn string(v: Value) -> Result<String, String> {
    match v {
        Value::String(s) => Ok(s),
        v => Err(format!("expected a string, got {v}")),
    }
}

/// Decodes standard (RFC 4648) base64, ignoring padding and whitespace.
fn base64_decode(s: &str) -> Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(s.len() / 4 * 3);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in s.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            b'=' | b'\r' | b'\n' | b' ' => continue,
            _ => return Err(format!("invalid base64 byte {c:#04x}")),
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Ok(out)
}

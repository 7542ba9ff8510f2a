//! The console as a form-posting client sees it: a person's session cookie
//! and CSRF token, redirects not followed (the test reads them), forms
//! posted urlencoded or, for uploads, as `multipart/form-data` with the
//! token in the query as the console's upload forms send it.

use super::{Person, Server};

/// A person's browser without a browser.
pub struct Console<'a> {
    srv: &'a Server,
    client: reqwest::Client,
    cookie: String,
    /// The session's CSRF token.
    pub csrf: String,
}

/// What a page answered.
pub struct Answer {
    pub status: u16,
    pub body: String,
    pub location: String,
    pub disposition: String,
}

impl Answer {
    /// What a person reads of the page.
    pub fn text(&self) -> String {
        text(&self.body)
    }
}

/// One part of an upload: a field, or a file with its name.
pub enum Part<'a> {
    Field(&'a str, &'a str),
    File(&'a str, &'a str, &'a [u8]),
}

impl<'a> Console<'a> {
    pub fn of(srv: &'a Server, person: &Person) -> Console<'a> {
        Console {
            srv,
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            cookie: format!("{}; licentia_csrf={}", person.cookie, person.csrf),
            csrf: person.csrf.clone(),
        }
    }

    async fn answer(resp: reqwest::Response) -> Answer {
        let header = |name: &str| {
            resp.headers()
                .get(name)
                .map(|v| v.to_str().unwrap().to_owned())
                .unwrap_or_default()
        };
        let (location, disposition) = (header("location"), header("content-disposition"));
        let status = resp.status().as_u16();
        let body = resp.text().await.unwrap();
        assert!(status < 500, "server error: {body}");
        Answer {
            status,
            body,
            location,
            disposition,
        }
    }

    pub async fn get(&self, path: &str) -> Answer {
        let resp = self
            .client
            .get(format!("{}{path}", self.srv.base))
            .header("cookie", &self.cookie)
            .send()
            .await
            .unwrap();
        Self::answer(resp).await
    }

    /// Posts a form with its `_csrf` field.
    pub async fn post(&self, path: &str, fields: &[(&str, &str)]) -> Answer {
        let mut form = vec![("_csrf", self.csrf.as_str())];
        form.extend_from_slice(fields);
        self.post_raw(path, &form).await
    }

    /// Posts exactly these fields (a forged form leaves out `_csrf`).
    pub async fn post_raw(&self, path: &str, fields: &[(&str, &str)]) -> Answer {
        let resp = self
            .client
            .post(format!("{}{path}", self.srv.base))
            .header("cookie", &self.cookie)
            .form(fields)
            .send()
            .await
            .unwrap();
        Self::answer(resp).await
    }

    /// Posts `parts` as `multipart/form-data`, the CSRF token in the query
    /// (left out when `with_token` is false).
    pub async fn upload(&self, path: &str, parts: &[Part<'_>], with_token: bool) -> Answer {
        let boundary = "licentia-test-boundary-7d1f";
        let mut body = Vec::new();
        for part in parts {
            body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
            let (head, value) = match part {
                Part::Field(name, value) => (
                    format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n"),
                    value.as_bytes(),
                ),
                Part::File(name, file, bytes) => (
                    format!(
                        "Content-Disposition: form-data; name=\"{name}\"; filename=\"{file}\"\r\nContent-Type: text/csv\r\n\r\n"
                    ),
                    *bytes,
                ),
            };
            body.extend_from_slice(head.as_bytes());
            body.extend_from_slice(value);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        let query = if with_token {
            format!("?_csrf={}", self.csrf)
        } else {
            String::new()
        };
        let resp = self
            .client
            .post(format!("{}{path}{query}", self.srv.base))
            .header("cookie", &self.cookie)
            .header(
                "content-type",
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(body)
            .send()
            .await
            .unwrap();
        Self::answer(resp).await
    }
}

/// The text of a page, tags dropped and spaces collapsed: what a person reads.
pub fn text(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push(' ');
            }
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&#39;", "'")
        .replace("&#34;", "\"")
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The value of the hidden field `name` in a page's form (entities undone).
pub fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no field {name} in {html}"))
        + marker.len();
    let end = start + html[start..].find('"').unwrap();
    html[start..end]
        .replace("&#10;", "\n")
        .replace("&#13;", "\r")
        .replace("&#39;", "'")
        .replace("&#34;", "\"")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/* Pano web panel: what every page's script shares.
   Pano.api(method, url, body)   JSON call to /api/v1 with the session's CSRF token and
                                 the panel's language (Accept-Language), so refusals come
                                 back in it; throws Pano.ApiError(status, message).
   Pano.upload(url, file, onProgress, fieldName, onJob) multipart upload with progress
                                 (XMLHttpRequest); a 202 (the server made a job of it) is
                                 followed until the job ends: onJob(job) on the way, then
                                 the route's own answer, or its refusal as an ApiError.
   Pano.t(key, vars)             the page's translated strings (template block "strings").
   Pano.dateTime(iso, withSeconds) / Pano.date(iso) / Pano.time(iso)
                                 dd/mm/yyyy and 24-hour time in both languages, in the
                                 province's time zone. Pano.number(n): the language's
                                 separators.
   Pano.el(tag, attrs, ...children)      builds DOM without innerHTML (no injection).
   Pano.toast(message, kind)     a short message in the corner.
   Pano.live(namespace)          a Socket.IO connection (vendor/socket.io.min.js).
   Pano.navCount(endpoint, n)    sets the count on a navigation tab (the review queue's). */
"use strict";
const Pano = (() => {
  const config = JSON.parse(document.getElementById("pano-config").textContent);
  const pageStrings = JSON.parse(document.getElementById("pano-strings").textContent || "{}");
  const strings = Object.assign({}, config.strings, pageStrings);
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const locale = config.lang === "vi" ? "vi-VN" : "en-GB";

  class ApiError extends Error {
    constructor(status, message, body) { super(message); this.status = status; this.body = body; }
  }

  function t(key, vars) {
    let text = strings[key] !== undefined ? strings[key] : key;
    if (vars) {
      for (const [name, value] of Object.entries(vars)) {
        text = text.split("%(" + name + ")s").join(String(value));
      }
    }
    return text;
  }

  /* An answer without the API's sentence (a proxy's 502, a 413 from the web server):
     said in the panel's language, not the HTTP reason phrase ("Bad Gateway"). */
  function unexplained(status) { return t("http_error", { status }); }

  async function api(method, url, body) {
    const options = { method, credentials: "same-origin",
                      headers: { "Accept": "application/json", "Accept-Language": config.lang } };
    if (method !== "GET" && method !== "HEAD") options.headers["X-CSRFToken"] = csrf;
    if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    let response;
    try {
      response = await fetch(url, options);
    } catch (err) {
      throw new ApiError(0, t("network_error"));
    }
    const text = await response.text();
    let data = null;
    try { data = text ? JSON.parse(text) : null; } catch (err) { data = null; }
    if (!response.ok) {
      if (response.status === 401) throw new ApiError(401, t("session_expired"), data);
      throw new ApiError(response.status, (data && data.message) || unexplained(response.status), data);
    }
    return data;
  }

  function upload(url, file, onProgress, fieldName, onJob) {
    return new Promise((resolve, reject) => {
      const form = new FormData();
      form.append(fieldName || "file", file, file.name);
      const xhr = new XMLHttpRequest();
      xhr.open("POST", url);
      xhr.setRequestHeader("X-CSRFToken", csrf);
      xhr.setRequestHeader("Accept", "application/json");
      xhr.setRequestHeader("Accept-Language", config.lang);
      xhr.upload.onprogress = (event) => {
        if (event.lengthComputable && onProgress) onProgress(event.loaded / event.total);
      };
      xhr.onload = () => {
        let data = null;
        try { data = JSON.parse(xhr.responseText); } catch (err) { data = null; }
        if (xhr.status === 202 && data && data.url) followJob(data, onJob).then(resolve, reject);
        else if (xhr.status >= 200 && xhr.status < 300) resolve(data);
        else reject(new ApiError(xhr.status, (data && data.message) || unexplained(xhr.status), data));
      };
      xhr.onerror = () => reject(new ApiError(0, t("network_error")));
      xhr.send(form);
    });
  }

  // A job (GET /api/v1/jobs/<id>) polled until it is done (its result: the route's answer)
  // or failed (its error: the route's refusal, same status and sentence).
  async function followJob(job, onJob) {
    for (;;) {
      if (onJob) onJob(job);
      if (job.status === "done") return job.result;
      if (job.status === "failed") {
        const error = job.error || { status: 500, message: "" };
        throw new ApiError(error.status, error.message, job);
      }
      await new Promise((wake) => setTimeout(wake, 400));
      job = await api("GET", job.url);
    }
  }

  /* One way of writing a moment in both languages, as the province writes it:
     dd/mm/yyyy then 24-hour time ("06/12/2026 08:25"), never a two-digit year nor the
     time first (vi-VN's own short style gave "08:25:56 6/12/26"). In the province's
     time zone, which the top bar names once per page. */
  const partsFormat = new Intl.DateTimeFormat("en-GB", {
    timeZone: config.timezone, day: "2-digit", month: "2-digit", year: "numeric",
    hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" });
  function parts(iso) {
    const date = new Date(iso);
    if (Number.isNaN(date.getTime())) return null;
    return Object.fromEntries(partsFormat.formatToParts(date).map((p) => [p.type, p.value]));
  }
  function dateTime(iso, withSeconds) {
    const p = iso ? parts(iso) : null;
    if (!p) return "—";
    return `${p.day}/${p.month}/${p.year} ${p.hour}:${p.minute}` + (withSeconds ? `:${p.second}` : "");
  }
  function date(iso) {
    const p = iso ? parts(iso) : null;
    return p ? `${p.day}/${p.month}/${p.year}` : "—";
  }
  function time(iso) {
    const p = iso ? parts(iso) : null;
    return p ? `${p.hour}:${p.minute}` : "—";
  }
  function number(value, digits) {
    if (value === null || value === undefined || Number.isNaN(value)) return "—";
    return new Intl.NumberFormat(locale, { maximumFractionDigits: digits === undefined ? 1 : digits }).format(value);
  }

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (name === "class") node.className = value;
      else if (name === "dataset") Object.assign(node.dataset, value);
      // Through the CSSOM: the Content-Security-Policy refuses style attributes.
      else if (name === "style") node.style.cssText = value;
      else if (name.startsWith("on") && typeof value === "function") node.addEventListener(name.slice(2), value);
      else if (value === true) node.setAttribute(name, "");
      else node.setAttribute(name, value);
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  function toast(message, kind) {
    const box = el("div", { class: "toast " + (kind || ""), role: kind === "bad" ? "alert" : "status" }, message);
    document.getElementById("toasts").append(box);
    setTimeout(() => box.remove(), kind === "bad" ? 8000 : 4000);
  }

  /* The count on a navigation tab (the review queue's), when the page learns a newer one. */
  function navCount(endpoint, n) {
    const link = document.querySelector(`.mainnav a[data-endpoint="${endpoint}"]`);
    const badge = link && link.querySelector(".nav-count");
    if (!badge) return;
    const said = t("nav_waiting", { n });
    badge.textContent = String(n);
    badge.classList.toggle("zero", !n);
    badge.title = said;
    link.setAttribute("aria-description", said);
  }

  function live(namespace) {
    if (typeof io !== "function") return null;
    return io(namespace, { transports: ["websocket"], withCredentials: true });
  }

  return { config, ApiError, api, upload, followJob, t, dateTime, date, time, number, el, toast, live, locale,
           navCount };
})();

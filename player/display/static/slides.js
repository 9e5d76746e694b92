// Pano kiosk page: the slides of an entry, built on a layer (kiosk.js decides which
// entry and when). Each function that needs the page's state takes a view:
// {display: () => the plan's display facts, mediaUrl: sha -> URL of a cached file}.
"use strict";
window.KioskSlides = (function () {
  function languagesOf(item, view) {
    var variants = item.variants || {};
    var langs = (view.display().languages || []).filter(function (l) { return variants[l]; });
    return langs.length ? langs : Object.keys(variants);
  }

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text) { node.textContent = text; }
    return node;
  }

  function textSlide(item, langs) {
    var slide = el("div", "slide text" + (langs.length === 1 ? " single" : ""));
    langs.forEach(function (lang, i) {
      var v = item.variants[lang] || {};
      var block = el("div", "lang " + (i === 0 ? "primary" : "secondary"));
      block.lang = lang;
      if (v.title) { block.appendChild(el("h1", null, v.title)); }
      if (v.body) { block.appendChild(el("p", null, v.body)); }
      slide.appendChild(block);
    });
    return slide;
  }

  // A caption bar with the item's title in each of captionLangs (primary first).
  function caption(item, captionLangs) {
    var bar = el("div", "caption");
    captionLangs.forEach(function (l, i) {
      var title = (item.variants[l] || {}).title;
      if (!title) { return; }
      var line = el("div", i === 0 ? "primary" : "secondary", title);
      line.lang = l;
      bar.appendChild(line);
    });
    return bar.childNodes.length ? bar : null;
  }

  // overlay: the controller's caption for a video (a transparent picture of the
  // screen's size), laid over it instead of the page's own caption bar.
  function mediaSlide(item, lang, captionLangs, view, overlay) {
    var v = item.variants[lang] || {};
    var slide = el("div", "slide");
    if (item.type === "image") {
      var img = el("img");
      img.alt = v.title || "";
      img.src = view.mediaUrl(v.media);
      slide.appendChild(img);
    } else if (item.type === "video") {
      var video = el("video");
      video.muted = true;
      video.loop = true;          // a video shorter than its slot loops
      video.playsInline = true;
      video.preload = "auto";
      video.src = view.mediaUrl(v.media);
      slide.appendChild(video);
    } else if (item.type === "web") {
      var frame = el("iframe");
      frame.setAttribute("sandbox", "allow-scripts allow-same-origin allow-forms");
      frame.src = v.url;
      slide.appendChild(frame);
    }
    if (overlay) {
      var over = el("img", "overlay");
      over.alt = "";
      over.src = view.mediaUrl(overlay);
      slide.appendChild(over);
      return slide;
    }
    var bar = item.type === "web" ? null : caption(item, captionLangs);
    if (bar) { slide.appendChild(bar); }
    return slide;
  }

  // A slide the controller rendered (its PNG, cached): shown full screen.
  function renderedSlide(file, alt, view) {
    var slide = el("div", "slide rendered");
    var img = el("img");
    img.alt = alt || "";
    img.src = view.mediaUrl(file);
    slide.appendChild(img);
    return slide;
  }

  // The QR badge, at the pixel box display.qr_badge of a screen of display.resolution
  // (the corner the controller's slides leave free), scaled with the page.
  function addBadge(slide, badge, view) {
    var box = view.display().qr_badge, res = view.display().resolution;
    if (!badge || !box || !res || !res[0] || !res[1]) { return; }
    var img = el("img", "qr-badge");
    img.alt = badge.url || "";
    img.src = view.mediaUrl(badge.file);
    img.style.left = (100 * box.x / res[0]) + "%";
    img.style.top = (100 * box.y / res[1]) + "%";
    img.style.width = (100 * box.width / res[0]) + "%";
    img.style.height = (100 * box.height / res[1]) + "%";
    slide.appendChild(img);
    // The page's own caption bar (a picture or video not drawn by the controller yet)
    // stays beside the badge (landscape) or above it (portrait), never under it.
    var bar = slide.querySelector(".caption");
    if (bar) {
      if (res[0] >= res[1]) {
        bar.style.right = (100 - 100 * box.x / res[0]) + "%";
      } else {
        bar.style.bottom = (100 - 100 * box.y / res[1]) + "%";
      }
    }
  }

  // Slides of an entry, as the player resolved them (entry.slides): several only in
  // "alternate" mode, one language each.
  function build(layer, entry, view) {
    layer.innerHTML = "";
    if (!entry) {
      var idle = el("div", "slide idle on");
      var name = view.display().name || {};
      var primary = (view.display().languages || [])[0];
      idle.textContent = name[primary] || "";
      layer.appendChild(idle);
      return;
    }
    var item = entry.item;
    var slides = entry.slides && entry.slides.length ? entry.slides
      : [{ languages: languagesOf(item, view), started_at: entry.started_at, ends_at: entry.ends_at }];
    slides.forEach(function (s) {
      var langs = s.languages;
      // The controller's picture when cached: a text item's rendered slide, an image
      // item's frame (picture, caption drawn, QR corner free). Else a text item's
      // languages as blocks, or a media item's first-language file (its own picture if
      // it has one), captioned in the slide's languages. Either way the QR badge of the
      // slide's language, when there is one.
      var alt = (item.variants[langs[0]] || {}).title;
      var slide = s.file && (item.type === "text" || item.type === "image")
        ? renderedSlide(s.file, alt, view)
        : item.type === "text" ? textSlide(item, langs)
        : mediaSlide(item, langs[0], langs, view, s.overlay);
      addBadge(slide, s.badge, view);
      layer.appendChild(slide);
    });
    layer.firstChild.classList.add("on");
  }

  return { el: el, languagesOf: languagesOf, renderedSlide: renderedSlide,
    addBadge: addBadge, build: build };
})();

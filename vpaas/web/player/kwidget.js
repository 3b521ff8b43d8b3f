/* vpaas kWidget loader: the legacy Kaltura embed API (kWidget.embed, kWidget.thumbEmbed) on top of
 * the Kaltura web player v7 (KalturaPlayer.setup + loadMedia). Served by
 * /p/{pid}/sp/{pid}00/embedIframeJs/uiconf_id/{id}/partner_id/{pid}; the server replaces the
 * VPAAS_LOADER_CONFIG marker with {base, partnerId, uiConfId, bundleUrl, autoEmbed}. */
(function (cfg) {
  'use strict';
  var kw = window.kWidget;
  if (!kw || !kw.__vpaas) {
    kw = window.kWidget = createKWidget();
  }
  kw.__bundles[cfg.partnerId + ':' + cfg.uiConfId] = cfg.bundleUrl;
  if (!kw.__base) kw.__base = cfg.base;
  if (cfg.autoEmbed) autoEmbed(kw, cfg.autoEmbed);

  function autoEmbed(kw, settings) {
    var script = document.currentScript;
    var id = settings.targetId || ('kaltura_player_' + String(Date.now()));
    var div = document.getElementById(id);
    if (!div) {
      div = document.createElement('div');
      div.id = id;
      div.style.width = settings.width || '640px';
      div.style.height = settings.height || '360px';
      if (script && script.parentNode) script.parentNode.insertBefore(div, script);
      else document.body.appendChild(div);
    }
    kw.embed(id, settings);
  }

  function createKWidget() {
    var players = {};
    var readyCallbacks = [];
    var loading = {};

    function truthy(v) { return v === true || v === 'true' || v === 1 || v === '1'; }
    function isObject(v) { return v !== null && typeof v === 'object' && !Array.isArray(v); }
    function mergeDeep(into, from) {
      Object.keys(from).forEach(function (k) {
        if (isObject(from[k]) && isObject(into[k])) mergeDeep(into[k], from[k]);
        else into[k] = from[k];
      });
      return into;
    }
    function partnerOf(settings) {
      var raw = settings.partner_id || settings.wid || settings.partnerId || '';
      var pid = parseInt(String(raw).replace(/^_/, ''), 10);
      return isNaN(pid) ? cfg.partnerId : pid;
    }
    function uiConfOf(settings) {
      var id = parseInt(settings.uiconf_id || settings.uiConfId || '', 10);
      return isNaN(id) ? cfg.uiConfId : id;
    }
    function baseUrl() { return kw.__base || cfg.base; }
    function bundleUrl(pid, uiconf) {
      return kw.__bundles[pid + ':' + uiconf] ||
        (baseUrl() + '/p/' + pid + '/embedPlaykitJs/uiconf_id/' + uiconf);
    }
    /* Load the player bundle (with the server's config for this uiConf) once per uiConf. */
    function withPlayer(pid, uiconf, cb) {
      var key = pid + ':' + uiconf;
      var known = window.KalturaPlayers && window.KalturaPlayers[String(uiconf)];
      if (window.KalturaPlayer && known) return cb();
      if (loading[key]) { loading[key].push(cb); return; }
      loading[key] = [cb];
      var s = document.createElement('script');
      s.src = bundleUrl(pid, uiconf);
      s.onload = function () {
        var q = loading[key]; loading[key] = null;
        q.forEach(function (f) { f(); });
      };
      s.onerror = function () {
        loading[key] = null;
        if (window.console) console.error('kWidget: could not load the player from ' + s.src);
      };
      (document.head || document.documentElement).appendChild(s);
    }
    function whenTarget(targetId, cb) {
      if (document.getElementById(targetId)) return cb();
      if (document.readyState === 'loading') {
        document.addEventListener('DOMContentLoaded', function () { whenTarget(targetId, cb); });
        return;
      }
      if (window.console) console.error('kWidget: no element with id "' + targetId + '"');
    }
    function playerConfig(targetId, settings, pid, uiconf) {
      var fv = settings.flashvars || {};
      var conf = { targetId: targetId, provider: { partnerId: pid, uiConfId: uiconf },
        playback: {} };
      if (fv.ks || settings.ks) conf.provider.ks = fv.ks || settings.ks;
      if (fv.autoPlay !== undefined) conf.playback.autoplay = truthy(fv.autoPlay);
      if (fv.autoMute !== undefined) conf.playback.muted = truthy(fv.autoMute);
      if (fv.loop !== undefined) conf.playback.loop = truthy(fv.loop);
      if (fv.startTime !== undefined && !isNaN(parseFloat(fv.startTime))) {
        conf.playback.startTime = parseFloat(fv.startTime);
      }
      ['playback', 'provider', 'ui', 'plugins', 'log', 'text', 'abr', 'network']
        .forEach(function (k) { if (isObject(fv[k])) { conf[k] = conf[k] || {}; mergeDeep(conf[k], fv[k]); } });
      return conf;
    }
    function legacyApi(el, player, settings) {
      var events = { playerPlayed: 'play', playerPaused: 'pause', playerPlayEnd: 'ended',
        playerUpdatePlayhead: 'timeupdate', mediaReady: 'loadedmetadata', playerSeekEnd: 'seeked',
        volumeChanged: 'volumechange' };
      el.sendNotification = function (name, data) {
        if (name === 'doPlay') player.play();
        else if (name === 'doPause') player.pause();
        else if (name === 'doStop') { player.pause(); player.currentTime = 0; }
        else if (name === 'doSeek') player.currentTime = parseFloat(data) || 0;
        else if (name === 'changeVolume') player.volume = parseFloat(data);
        else if (name === 'changeMedia' && data) player.loadMedia({ entryId: data.entryId || data.entry_id });
      };
      el.kBind = function (name, cb) {
        var ev = String(name).split('.')[0];
        if (ev === 'playerReady') return cb(el.id);
        if (!events[ev]) return;
        player.addEventListener(events[ev], function () {
          cb(ev === 'playerUpdatePlayhead' ? player.currentTime : el.id);
        });
      };
      el.evaluate = function (expr) {
        var e = String(expr).replace(/[{}]/g, '');
        if (e === 'video.player.currentTime') return player.currentTime;
        if (e === 'duration' || e === 'mediaProxy.entry.duration') return player.duration;
        if (e === 'mediaProxy.entry.id') return settings.entry_id;
        if (e === 'video.volume') return player.volume;
        return null;
      };
    }
    function embed(targetId, settings) {
      if (isObject(targetId)) { settings = targetId; targetId = settings.targetId; }
      settings = settings || {};
      var pid = partnerOf(settings), uiconf = uiConfOf(settings);
      whenTarget(targetId, function () {
        withPlayer(pid, uiconf, function () {
          var el = document.getElementById(targetId);
          var player = KalturaPlayer.setup(playerConfig(targetId, settings, pid, uiconf));
          players[targetId] = player;
          legacyApi(el, player, settings);
          if (settings.entry_id) player.loadMedia({ entryId: String(settings.entry_id) });
          else if (settings.reference_id) player.loadMedia({ referenceId: String(settings.reference_id) });
          if (typeof settings.readyCallback === 'function') settings.readyCallback(targetId);
          readyCallbacks.forEach(function (cb) { cb(targetId); });
          if (typeof window.jsCallbackReady === 'function') window.jsCallbackReady(targetId);
        });
      });
    }
    function thumbUrl(settings, width) {
      var pid = partnerOf(settings);
      return baseUrl() + '/p/' + pid + '/thumbnail/entry_id/' +
        encodeURIComponent(String(settings.entry_id || '')) + '/width/' + (width || 640);
    }
    function thumbEmbed(targetId, settings) {
      if (isObject(targetId)) { settings = targetId; targetId = settings.targetId; }
      settings = settings || {};
      whenTarget(targetId, function () {
        var el = document.getElementById(targetId);
        var width = Math.max(64, Math.min(4096, Math.round(el.clientWidth || 640)));
        var box = document.createElement('div');
        box.className = 'kWidgetThumbEmbed';
        box.style.cssText = 'position:relative;width:100%;height:100%;min-height:64px;' +
          'cursor:pointer;background:#000 center/contain no-repeat;';
        box.style.backgroundImage = 'url("' + thumbUrl(settings, width) + '")';
        var button = document.createElement('div');
        button.className = 'kWidgetPlayBtn';
        button.setAttribute('role', 'button');
        button.setAttribute('aria-label', 'Play');
        button.style.cssText = 'position:absolute;left:50%;top:50%;width:70px;height:70px;' +
          'margin:-35px 0 0 -35px;border-radius:50%;background:rgba(0,0,0,.6);';
        button.innerHTML = '<div style="margin:20px 0 0 27px;width:0;height:0;border-style:solid;' +
          'border-width:15px 0 15px 24px;border-color:transparent transparent transparent #fff"></div>';
        box.appendChild(button);
        el.innerHTML = '';
        el.appendChild(box);
        box.addEventListener('click', function () {
          el.removeChild(box);
          var fv = mergeDeep({}, settings.flashvars || {});
          fv.autoPlay = true;
          embed(targetId, mergeDeep(mergeDeep({}, settings), { flashvars: fv }));
        });
      });
    }
    return {
      __vpaas: true,
      __bundles: {},
      __base: '',
      embed: embed,
      thumbEmbed: thumbEmbed,
      getPlayer: function (targetId) { return players[targetId]; },
      destroy: function (target) {
        var id = typeof target === 'string' ? target : target && target.id;
        if (players[id]) { players[id].destroy(); delete players[id]; }
        var el = document.getElementById(id);
        if (el) el.innerHTML = '';
      },
      addReadyCallback: function (cb) { readyCallbacks.push(cb); },
      getKalturaThumbUrl: function (settings) {
        var url = thumbUrl(settings, parseInt(settings.width, 10) || 640);
        return settings.height ? url + '/height/' + parseInt(settings.height, 10) : url;
      },
      isHTML5FallForward: function () { return true; },
      supportsHTML5: function () { return true; },
      supportsFlash: function () { return false; }
    };
  }
})(/*@VPAAS_LOADER_CONFIG@*/ null);

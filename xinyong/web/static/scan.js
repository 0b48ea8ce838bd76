// 信易+ partner page: read a 信用码 with the phone camera, or from a photo (file input), decode it
// in the browser with the vendored jsQR, put the text in the code field and submit the form.
(function () {
  "use strict";
  var form = document.getElementById("verify-form");
  if (!form || typeof jsQR === "undefined") { return; }
  var codeInput = form.querySelector("input[name=code]");
  var method = form.querySelector("input[name=method]");
  var status = document.getElementById("scan-status");
  var fileInput = document.getElementById("scan-file");
  var startButton = document.getElementById("scan-start");
  var video = document.getElementById("scan-video");
  var canvas = document.createElement("canvas");
  var ctx = canvas.getContext("2d", { willReadFrequently: true });

  function say(text) { if (status) { status.textContent = text; } }

  function decode(source, width, height) {
    canvas.width = width;
    canvas.height = height;
    ctx.drawImage(source, 0, 0, width, height);
    var pixels = ctx.getImageData(0, 0, width, height);
    var found = jsQR(pixels.data, width, height, { inversionAttempts: "attemptBoth" });
    return found ? found.data : null;
  }

  function submitScanned(text) {
    codeInput.value = text;
    method.value = "qr";
    say("已识别信用码，正在核验……");
    form.submit();
  }

  if (fileInput) {
    fileInput.addEventListener("change", function () {
      var file = fileInput.files && fileInput.files[0];
      if (!file) { return; }
      // createImageBitmap reads the file without an <img> (the CSP allows no blob: images).
      window.createImageBitmap(file).then(function (bitmap) {
        var scale = Math.min(1, 1600 / Math.max(bitmap.width, bitmap.height));
        var text = decode(bitmap, Math.round(bitmap.width * scale), Math.round(bitmap.height * scale));
        if (text) { submitScanned(text); } else { say("未能识别图片中的信用码，请重新拍摄或手工输入代码。"); }
      }).catch(function () { say("无法读取该图片。"); });
    });
  }

  if (startButton && video && navigator.mediaDevices && navigator.mediaDevices.getUserMedia) {
    startButton.hidden = false;
    startButton.addEventListener("click", function () {
      navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } }).then(function (stream) {
        video.srcObject = stream;
        video.hidden = false;
        video.play();
        say("请将信用码对准摄像头。");
        function tick() {
          if (video.readyState === video.HAVE_ENOUGH_DATA) {
            var text = decode(video, video.videoWidth, video.videoHeight);
            if (text) {
              stream.getTracks().forEach(function (t) { t.stop(); });
              submitScanned(text);
              return;
            }
          }
          window.requestAnimationFrame(tick);
        }
        window.requestAnimationFrame(tick);
      }).catch(function () { say("无法打开摄像头，请改用“拍照或选择图片”。"); });
    });
  }
})();

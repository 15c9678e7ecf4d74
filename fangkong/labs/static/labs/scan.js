// The sampling screen's camera button: reads a barcode or QR code with the browser's own
// BarcodeDetector (Chrome and Edge on Android, Safari 17+) and types it into the field, as a
// keyboard-wedge scanner would. Without the API the button stays hidden: the field takes typing.
(function () {
  if (!("BarcodeDetector" in window) || !navigator.mediaDevices) return;
  document.querySelectorAll("[data-scan]").forEach(function (button) {
    var field = document.getElementById(button.dataset.scan);
    var video = document.getElementById("scan-video");
    button.hidden = false;
    button.addEventListener("click", async function () {
      var detector = new BarcodeDetector();
      var stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } });
      video.srcObject = stream;
      video.hidden = false;
      await video.play();
      var timer = setInterval(async function () {
        var codes = await detector.detect(video);
        if (!codes.length) return;
        clearInterval(timer);
        stream.getTracks().forEach(function (t) { t.stop(); });
        video.hidden = true;
        var value = codes[0].rawValue;
        field.value = field.tagName === "TEXTAREA" && field.value ? field.value + "\n" + value : value;
        field.focus();
      }, 300);
    });
  });
})();

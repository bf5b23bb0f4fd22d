// "Print this page" buttons: hidden until this script shows them, so without JavaScript the page
// only tells people to use their browser's print option.
for (const button of document.querySelectorAll('.app-print-button')) {
  button.hidden = false;
  button.addEventListener('click', () => window.print());
}

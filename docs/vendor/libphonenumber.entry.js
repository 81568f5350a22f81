// The entry vendor/libphonenumber.js is built from (chalicelib/ui/static/vendor/): in a scratch folder,
//   npm install esbuild libphonenumber-js@1.13.18 && cp <this file> entry.js
//   npx esbuild entry.js --bundle --format=esm --minify --legal-comments=none --outfile=out.js
// then the vendored file is its four-line header followed by out.js.
import metadataJson from 'libphonenumber-js/metadata.min.json';
import { Metadata, parsePhoneNumberFromString } from 'libphonenumber-js/core';
import { chooseFormatForNumber } from './node_modules/libphonenumber-js/es6/format.js';

/** An E.164 number as libphonenumber's INTERNATIONAL format groups it ("+7 916 123-45-67", "+44 7400 123456"),
 * which keeps the pattern's dashes where libphonenumber-js's formatInternational writes spaces; null when the
 * text is not a number libphonenumber reads. */
export function international(e164) {
  const parsed = parsePhoneNumberFromString(String(e164 || ''), metadataJson);
  if (!parsed) return null;
  const metadata = new Metadata(metadataJson);
  metadata.selectNumberingPlan(parsed.country && parsed.country !== '001' ? parsed.country : parsed.countryCallingCode);
  const national = parsed.nationalNumber;
  const format = chooseFormatForNumber(metadata.formats(), national);
  const grouped = format ? national.replace(new RegExp(format.pattern()), format.internationalFormat()) : national;
  return `+${parsed.countryCallingCode} ${grouped}`;
}

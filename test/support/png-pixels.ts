import type { Browser } from 'playwright';

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Playwright's default screenshot mask colour. */
export const MASK_RGB = [255, 0, 255] as const;

/**
 * The share of pixels inside each box of a PNG that are the mask colour, decoded by Chromium itself (an <img>
 * drawn on a canvas): no image library needed to check what a screenshot shows.
 */
export async function maskedShare(browser: Browser, png: Buffer, boxes: Box[]): Promise<number[]> {
  const page = await browser.newPage();
  try {
    return await page.evaluate(
      async ({ dataUrl, boxes, mask }) => {
        const img = new Image();
        img.src = dataUrl;
        await img.decode();
        const canvas = document.createElement('canvas');
        canvas.width = img.naturalWidth;
        canvas.height = img.naturalHeight;
        const ctx = canvas.getContext('2d')!;
        ctx.drawImage(img, 0, 0);
        return boxes.map((b) => {
          const { data } = ctx.getImageData(Math.ceil(b.x), Math.ceil(b.y), Math.floor(b.width), Math.floor(b.height));
          let masked = 0;
          for (let i = 0; i < data.length; i += 4) {
            if (Math.abs(data[i] - mask[0]) < 8 && Math.abs(data[i + 1] - mask[1]) < 8 && Math.abs(data[i + 2] - mask[2]) < 8) masked++;
          }
          return masked / (data.length / 4);
        });
      },
      { dataUrl: `data:image/png;base64,${png.toString('base64')}`, boxes, mask: [...MASK_RGB] },
    );
  } finally {
    await page.close();
  }
}
